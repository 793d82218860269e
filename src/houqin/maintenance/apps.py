from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    name = "houqin.maintenance"
    label = "maintenance"
    verbose_name = _("Repairs and maintenance")

    def ready(self):
        # Importing these registers the module's settings, dictionaries, navigation, to-dos, place actions,
        # attachments, tick jobs and facts with core.
        from . import demo, facts, registrations, services  # noqa: F401  (demo: registers the demo loader)
