"""Install the default category tree (categories.txt) so sellers can list products on a fresh install.
Operators edit it afterwards in the admin; loading again changes nothing (idempotent by slug)."""

from pathlib import Path

from django.db import migrations

TREE_FILE = Path(__file__).resolve().parent.parent / "data" / "categories.txt"


def parse_tree(text: str) -> list[tuple[int, str, str, str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        slug, english, chinese = (part.strip() for part in line.split("|"))
        rows.append((depth, slug, english, chinese))
    return rows


def load(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    parents: dict[int, object] = {}
    for position, (depth, slug, english, chinese) in enumerate(parse_tree(TREE_FILE.read_text("utf-8"))):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"names": {"en": english, "zh-hans": chinese}, "position": position,
                                 "parent": parents.get(depth - 1)})
        parents[depth] = category


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
