"""Admin pieces shared by the apps."""

from django.conf import settings
from django.contrib import admin, messages
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from jishi.core import jobs
from jishi.core.models import Job, JobStatus

# The operator's pages name the site (SITE_NAME), as the shop's do, rather than "Django administration",
# and say it once: "Jishi operator" above the page, "<page> | Jishi" in the browser's tab.
admin.site.site_header = lazy(lambda: _("%(site)s operator") % {"site": settings.SITE_NAME}, str)()
admin.site.site_title = lazy(lambda: settings.SITE_NAME, str)()
admin.site.index_title = gettext_lazy("Operator")

# The operator's index page: the stock app list below what each app adds on top of it — alerts first (a
# banner for what needs the operator now), then panels (links to reports). Apps add their own templates
# here from their admin modules, so core names none of them.
admin.site.index_template = "admin/core/index.html"
INDEX_ALERTS: list[str] = ["admin/core/dead_jobs_alert.html"]
INDEX_PANELS: list[str] = []


def add_index_alert(template_name: str) -> None:
    if template_name not in INDEX_ALERTS:
        INDEX_ALERTS.append(template_name)


def add_index_panel(template_name: str) -> None:
    if template_name not in INDEX_PANELS:
        INDEX_PANELS.append(template_name)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through the services (orders, money, refund requests): the operator reads them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """The outbox, for the operator: what is waiting, what failed and why, and what died. A dead job can be
    run again once its cause is fixed."""

    list_display = ["id", "task", "args", "status", "attempts", "run_after", "created_at", "finished_at"]
    list_filter = ["status", "task"]
    search_fields = ["task", "last_error"]
    readonly_fields = ["task", "args", "status", "attempts", "run_after", "dispatched_at", "leased_until",
                       "last_error", "created_at", "finished_at"]
    actions = ["run_again"]

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("core.change_job")  # the action, not the form

    @admin.action(description=gettext_lazy("Run the selected dead jobs again"))
    def run_again(self, request, queryset):
        count = jobs.revive(queryset.filter(status=JobStatus.DEAD).values_list("id", flat=True))
        self.message_user(request, ngettext("%(count)s job will run again.", "%(count)s jobs will run again.",
                                            count) % {"count": count}, messages.SUCCESS)
