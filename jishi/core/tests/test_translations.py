"""The Simplified Chinese catalogue is complete, compiled, and used by pages."""

from babel.messages.pofile import read_po

from jishi.core.compile_messages import LOCALE_DIR, compiled

PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_chinese_translation():
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and (m.fuzzy or not (m.string if isinstance(m.string, str)
                                                                   else all(m.string)))]
    assert len(catalog) > 100
    assert missing == []


def test_the_compiled_catalogue_is_up_to_date():
    assert PO.with_suffix(".mo").read_bytes() == compiled(PO)
