"""Admin pieces shared by the apps."""

from django.conf import settings
from django.contrib import admin
from django.utils.functional import lazy

# The operator's pages name the site (SITE_NAME), as the shop's do, rather than "Django administration".
admin.site.site_header = admin.site.site_title = lazy(lambda: settings.SITE_NAME, str)()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through the services (orders, money, refund requests): the operator reads them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
