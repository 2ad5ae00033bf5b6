"""``jishi search reindex``: rebuild the search index from the catalogue, with a progress bar."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from jishi.catalog.indexing import rebuild_index
from jishi.core import jobs
from jishi.search.backends import get_backend

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Search index maintenance. 'reindex' rebuilds the whole index (the old one answers until it is done)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["reindex"])
        parser.add_argument("--no-progress", action="store_true", help="print no progress bar")

    def handle(self, *args, action, no_progress, **options):
        started = time.monotonic()
        show = not no_progress and options.get("verbosity", 1) > 0
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if not show or (now - last[0] < 0.2 and done < total):
                return
            last[0] = now
            share = done / total if total else 1.0
            filled = int(share * BAR_WIDTH)
            rate = done / max(now - started, 1e-6)
            self.stderr.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:6.1%} {done:,}/{total:,} "
                              f"products, {rate:,.0f}/s", ending="")
            self.stderr.flush()

        self.stdout.write(f"Rebuilding the search index ({get_backend().name})…")
        report = rebuild_index(progress=progress)
        # The rebuilt documents keep the old index's units sold; the orders count them afresh (the hourly
        # timer's job, asked for by name: orders sit above the catalogue).
        jobs.enqueue("jishi.orders.tasks.refresh_search_sales")
        if show:
            self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Indexed {report.documents:,} products in {report.seconds:.1f} s."))
        sys.stdout.flush()
