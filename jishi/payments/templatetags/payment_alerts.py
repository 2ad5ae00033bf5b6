from django import template

from jishi.payments.selectors import count_open_alerts

register = template.Library()


@register.simple_tag
def open_payment_alerts() -> int:
    return count_open_alerts()
