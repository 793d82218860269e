from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "houqin.core"
    label = "core"
    verbose_name = _("Foundation")

    def ready(self):
        # Importing these registers their settings, dictionaries, tick jobs, facts and signal receivers.
        from . import (  # noqa: F401
            approvals,
            attachments,
            foundation_facts,
            notifications,
            orgcache,
            party_services,
            retention,
            signals,
            workcalendar,
        )

        orgcache.connect()
