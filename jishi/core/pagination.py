"""Page numbers for lists: clamps bad input instead of failing, and counts once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def parse_page_number(raw) -> int:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 10_000))


def paginate(queryset, *, page: int, per_page: int, total: int | None = None) -> Page:
    """One page of ``queryset``; pass ``total`` when the caller can count faster than ``count()``."""
    if total is None:
        total = queryset.count() if hasattr(queryset, "query") else len(queryset)
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    start = (page - 1) * per_page
    return Page(items=list(queryset[start:start + per_page]), number=page, per_page=per_page, total=total)
