from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "houqin.assets"
    label = "assets"
    verbose_name = _("Fixed assets")

    def ready(self):
        # Importing these registers the module's settings, dictionaries, permissions and demo loader with core.
        from . import demo, demo_stories, facts, permissions, registrations, settings  # noqa: F401
