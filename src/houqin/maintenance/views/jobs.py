"""Job pages: detail with timeline and actions, dispatch, finish, confirm, print."""

from django.urls import path

from houqin.core.views.base import get_for_actor, org_view, render

from .. import permissions as p
from ..models import Job


@org_view(p.JOB_VIEW)
def job_detail(request, pk):
    job = get_for_actor(Job.objects.select_related("location", "building", "department"), request.actor, view=p.JOB_VIEW, pk=pk)
    return render(request, "maintenance/job_detail.html", {"job": job, "nav_active": "maintenance_jobs"})


urlpatterns = [
    path("jobs/<int:pk>/", job_detail, name="job_detail"),
]
