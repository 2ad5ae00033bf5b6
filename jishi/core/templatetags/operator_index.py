"""What the apps add to the operator's index page (``core.admin.add_index_alert`` / ``add_index_panel``)."""

from django import template

from jishi.core import admin

register = template.Library()


@register.simple_tag
def index_alerts() -> list[str]:
    return list(admin.INDEX_ALERTS)


@register.simple_tag
def index_panels() -> list[str]:
    return list(admin.INDEX_PANELS)
