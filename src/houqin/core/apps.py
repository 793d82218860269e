from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "houqin.core"
    label = "core"
    verbose_name = _("Foundation")

    def ready(self):
        from . import signals  # noqa: F401  (connects the security-log receivers)
