"""The ``jishi`` console command.

    jishi serve            serve the marketplace (HOST/PORT, default 127.0.0.1:8000)
    jishi demo [...]       build the demo marketplace (see ``jishi demo --help``)
    jishi worker [...]     run a Celery worker with beat (production mode: needs REDIS_URL)
    jishi search reindex   rebuild the search index, with a progress bar
    jishi ledger check     check the books; prints one line, exits non-zero when anything is off
    jishi manage ...       any Django management command (migrate, createsuperuser, shell, ...)
"""

from __future__ import annotations

import os
import sys


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "help"
    rest = args[1:]
    if command == "manage":
        _django(["jishi manage", *rest])
    elif command in {"serve", "demo", "worker", "search", "ledger"}:
        _django(["jishi", command, *rest])
    else:
        print(__doc__.strip())
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    main()
