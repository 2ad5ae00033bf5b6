"""Admin pieces shared by the apps."""

from django.conf import settings
from django.contrib import admin
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The operator's pages name the site (SITE_NAME), as the shop's do, rather than "Django administration",
# and say it once: "Jishi operator" above the page, "<page> | Jishi" in the browser's tab.
admin.site.site_header = lazy(lambda: _("%(site)s operator") % {"site": settings.SITE_NAME}, str)()
admin.site.site_title = lazy(lambda: settings.SITE_NAME, str)()
admin.site.index_title = gettext_lazy("Operator")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through the services (orders, money, refund requests): the operator reads them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
