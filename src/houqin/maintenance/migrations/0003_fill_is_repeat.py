"""Job.is_repeat for the jobs that exist: an earlier job (not rejected or cancelled) at the same place and
category within 30 days — the rule of services/repeats.py, written out here because migrations import no app
code."""

from datetime import timedelta

from django.db import migrations
from django.db.models import Exists, OuterRef


def fill(apps, schema_editor):
    Job = apps.get_model("maintenance", "Job")
    earlier = Job.objects.filter(
        org=OuterRef("org"),
        location=OuterRef("location"),
        category=OuterRef("category"),
        reported_at__lt=OuterRef("reported_at"),
        reported_at__gte=OuterRef("reported_at") - timedelta(days=30),
    ).exclude(state__in=("rejected", "cancelled"))
    Job.objects.filter(Exists(earlier)).update(is_repeat=True)


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0002_job_is_repeat")]

    # Back: the column goes with 0002's reverse, so there is nothing to undo here.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
