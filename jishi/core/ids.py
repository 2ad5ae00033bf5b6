"""Row ids from the outside world (URLs, forms, JSON): anything that is not one becomes 0, which no row has."""

MAX_ID = 2**63 - 1


def parse_id(value) -> int:
    """``value`` as a primary key, or 0 when it is not a whole number in the database's id range (a bigger
    number would make PostgreSQL fail instead of finding nothing)."""
    if isinstance(value, bool):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return number if 0 < number <= MAX_ID else 0
