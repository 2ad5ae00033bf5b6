"""``jishi demo``: build the demo marketplace (run by ``make run`` on an empty database).

It lives in the demo app, above every domain app it fills; ``core`` stays below them all and imports none.
"""

from django.core.management.base import BaseCommand, CommandError

from jishi.demo.generator import DEMO_PASSWORD, OPERATOR, SELLER, SHOPPER, generate
from jishi.demo.shipping import give_stores_templates
from jishi.stores.models import Store


class Command(BaseCommand):
    help = "Build a demo marketplace: stores in many countries, products with variants, demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=5400,
                            help="how many products (default 5400: over 5,000 on sale, the rest drafts and archived)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any store exists")
        parser.add_argument("--no-images", action="store_true", help="skip the generated product pictures")
        parser.add_argument("--no-search-index", action="store_true",
                            help="leave the search index empty (build it later with 'jishi search reindex')")

    def handle(self, *args, products, seed, if_empty, no_images, no_search_index=False, **options):
        if products < 1 or products > 2_000_000:
            raise CommandError("--products must be between 1 and 2,000,000")
        if Store.objects.exists():
            if if_empty:
                self._logins()
                return
            raise CommandError("The marketplace already has stores; the demo needs an empty database.")
        self.stdout.write(f"Building the demo marketplace ({products:,} products)…")
        report = generate(products=products, seed=seed, images=not no_images, search_index=not no_search_index,
                          stdout=self.stdout)
        give_stores_templates()
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {report.stores} stores, {report.products:,} products, {report.variants:,} variants "
            f"in {report.seconds:.1f} s."))
        self._logins()

    def _logins(self):
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for role, email in (("shopper", SHOPPER), ("seller", SELLER), ("operator", OPERATOR)):
            self.stdout.write(f"  {role:<9} {email}")
