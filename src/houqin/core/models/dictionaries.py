from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..tenancy import OrgScopedModel
from .org import code_validator


class DictionaryItem(OrgScopedModel):
    """One entry of an org's 数据字典 (e.g. a 场所用途); rows exist only once the org has edited the dictionary."""

    dictionary = models.CharField(_("dictionary"), max_length=60)
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    # Blank: the registered default label in the reader's language (the org has not renamed it).
    label = models.CharField(_("label"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dictionary entry")
        verbose_name_plural = _("dictionary entries")
        ordering = ["dictionary", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "dictionary", "code"], name="%(app_label)s_%(class)s_unique_code"),
        ]

    def __str__(self):
        return "{}:{}".format(self.dictionary, self.code)
