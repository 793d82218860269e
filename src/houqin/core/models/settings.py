from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..tenancy import OrgScopedModel


class OrgSetting(OrgScopedModel):
    """One registered setting's value for one organisation (absent: the registered default applies)."""

    key = models.CharField(_("key"), max_length=100)
    value = models.JSONField(_("value"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation setting")
        verbose_name_plural = _("organisation settings")
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="%(app_label)s_%(class)s_unique_key")]

    def __str__(self):
        return self.key
