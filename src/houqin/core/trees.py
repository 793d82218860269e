"""Materialised-path trees for departments and locations.

Each node stores ``path``: its ancestors' ids and its own, base-36 and fixed width, each followed by
"/" (``"000001/00000a/"``). A subtree is one indexed ``path LIKE 'prefix%'`` query on SQLite and
PostgreSQL alike. We keep this here rather than using django-treebeard because treebeard allocates
root paths by reading every root in the table, which a fail-closed org scope (rightly) hides.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

STEP = 6  # base-36 digits per level: 2 billion ids


def _encode(pk: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while pk:
        pk, rem = divmod(pk, 36)
        out = digits[rem] + out
    return out.rjust(STEP, "0") + "/"


class TreeNode(models.Model):
    """Abstract tree node: parent link plus a materialised path kept in step by ``tree_save``."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    class Meta:
        abstract = True

    def fill_derived(self) -> None:
        """Set fields that follow from the node's place in the tree (a location's building); no-op here."""

    @transaction.atomic
    def tree_save(self) -> None:
        """Save the node, keeping its path, its descendants' paths and its derived fields right.

        The parent's and the node's own paths are re-read under a row lock (in the caller's transaction),
        since either may have moved since a form loaded them. The path-setting save that follows the
        creating one is not history: paths and depths are derived, and the parent is what history shows.
        """
        manager = type(self)._base_manager
        parent_path = ""
        if self.parent_id:
            parent_path = manager.select_for_update().filter(pk=self.parent_id).values_list("path", flat=True).get()
        created = not self.pk
        if created:
            self.save()
            old_path = ""
        else:
            old_path = manager.select_for_update().filter(pk=self.pk).values_list("path", flat=True).get()
            if old_path and parent_path.startswith(old_path):
                raise ValidationError({"parent": _("A node cannot be placed under itself or its own descendants.")})
        self.path = parent_path + _encode(self.pk)
        self.depth = self.path.count("/")
        self.fill_derived()
        if created:
            skipping_already = hasattr(self, "skip_history_when_saving")
            self.skip_history_when_saving = True
            try:
                self.save()
            finally:
                if not skipping_already:
                    del self.skip_history_when_saving
        else:
            self.save()
        if old_path and old_path != self.path:
            # Moved: rewrite every descendant's prefix in one UPDATE.
            manager.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1)),
                depth=models.F("depth") + (self.path.count("/") - old_path.count("/")),
            )

    def descendants(self, include_self: bool = True):
        queryset = type(self).objects.filter(path__startswith=self.path)
        return queryset if include_self else queryset.exclude(pk=self.pk)

    def ancestor_ids(self) -> list[int]:
        return [int(part, 36) for part in self.path.split("/") if part][:-1]

    def ancestors(self):
        """Ancestors from the root down (one query)."""
        return type(self)._base_manager.filter(pk__in=self.ancestor_ids()).order_by("depth")
