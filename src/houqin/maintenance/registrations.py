"""What maintenance registers with core: navigation, to-dos, place actions, attachments, settings pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from houqin.core import attachments, compensation, locations, navigation, orgsettings, panels, todos
from houqin.core.navigation import NavEntry

from . import permissions as p
from .models import Incident, Job
from .selectors.jobs import job_todos
from .services.jobs import PHOTO_LABELS
from .views import assets, public, report
from .views.patrols import patrol_todos

REPAIRS = _("Repairs")

# Daily work on its own in the menu bar; the rest of the module in the 维修 dropdown.
for entry in (
    NavEntry("maintenance_report", _("Report a repair"), "maintenance:job_report", p.JOB_REPORT),
    NavEntry("maintenance_my", _("My repairs"), "maintenance:my_jobs", p.JOB_WORK),
    NavEntry("maintenance_board", _("Dispatch board"), "maintenance:board", p.JOB_DISPATCH),
    NavEntry("maintenance_jobs", _("Repair records"), "maintenance:job_list", p.JOB_VIEW, REPAIRS),
    NavEntry("incidents", _("Emergencies"), "maintenance:incident_list", p.INCIDENT_VIEW, REPAIRS),
    NavEntry("patrols", _("Patrols"), "maintenance:route_list", p.PATROL_VIEW, REPAIRS),
    NavEntry("maintenance_plans", _("Preventive maintenance"), "maintenance:plan_list", p.PLAN_VIEW, REPAIRS),
    NavEntry("maintenance_stats", _("Repair statistics"), "maintenance:stats", p.STATS_VIEW, REPAIRS),
):
    navigation.register(entry)

todos.register(job_todos)
todos.register(patrol_todos)

# Files: the reporter's photos (note "before") and the technician's (note "after"); photos of an emergency.
attachments.register_owner(Job, view_action=p.JOB_VIEW, change_action=p.JOB_WORK, note_labels=PHOTO_LABELS)
attachments.register_owner(Incident, view_action=p.INCIDENT_VIEW, change_action=p.INCIDENT_MANAGE)
# A compensation recorded from a job links back to it on the person's page.
compensation.register_source_url(
    Job, lambda object_id, org: reverse("maintenance:job_detail", args=[org.code, object_id])
)

# A place's page (its QR code): 报修 first, then 记录突发事件; anonymous scans where reporting without login is on.
locations.register(report.report_action)


@locations.register
def incident_place_action(request, location):
    """记录突发事件 on a place's page, with the place filled in."""
    actor = getattr(request, "actor", None)
    if actor is None or actor.via_bureau or not actor.can(p.INCIDENT_MANAGE):
        return None
    url = reverse("maintenance:incident_create", args=[actor.org.code]) + "?location={}".format(location.pk)
    return locations.LocationAction(str(_("Record an emergency here")), url)


locations.register_public_scan(public.public_scan)
orgsettings.register_page(public.SETTINGS_PAGE)

# An asset's card shows its repairs and their cost (assets never imports maintenance).
panels.register("assets.Asset", assets.asset_repairs_panel)
