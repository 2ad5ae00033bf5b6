"""Show a service's DomainError on a Django form: each message on the field it names."""

from __future__ import annotations

from django.forms import Form

from jishi.core.errors import DomainError


def add_domain_errors(form: Form, error: DomainError, *, field_map: dict[str, str] | None = None) -> None:
    field_map = field_map or {}
    if not error.fields:
        form.add_error(None, error.message)
        return
    for name, messages in error.fields.items():
        target = field_map.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
