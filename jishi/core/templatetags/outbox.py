from django import template

from jishi.core.jobs import count_dead

register = template.Library()


@register.simple_tag
def dead_jobs() -> int:
    return count_dead()
