from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxConfig(AppConfig):
    name = "jishi.tax"
    label = "tax"
    verbose_name = _("Duties and import taxes")
