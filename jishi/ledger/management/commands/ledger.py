"""``jishi ledger check``: reconcile the books, print one line, exit non-zero when anything is off."""

from django.core.management.base import BaseCommand, CommandError

from jishi.ledger.reconciliation import reconcile


class Command(BaseCommand):
    help = "Ledger tools. `check`: reconcile the books and print a one-line summary (exit 1 when anything is off)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Reconcile the books; exit 1 when anything is off.")
        check.add_argument("--verbose", "-V", action="store_true", help="Also list each problem.")

    def handle(self, *args, action: str, **options):
        report = reconcile()
        self.stdout.write(report.summary())
        if options.get("verbose") or not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  - {problem}")
        if not report.ok:
            raise CommandError("the ledger does not reconcile", returncode=1)
