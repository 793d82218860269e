"""Fail-closed tenancy: domain rows are only readable inside an explicit org scope.

A request under /o/<org-code>/ runs inside ``org_scope(org)``; management commands and tests open
one themselves. Reading a scoped model outside any scope raises ``ScopeError`` instead of silently
returning every organisation's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import FieldError, ValidationError
from django.db import models, router
from django.utils.translation import gettext_lazy as _

ALL_ORGS = object()  # sentinel: scoping switched off on purpose (migrations, demo loader, platform admin)

_active_orgs: ContextVar[frozenset[int] | object | None] = ContextVar("houqin_active_orgs", default=None)


class ScopeError(RuntimeError):
    """A scoped model was queried while no organisation scope was active."""


@contextmanager
def org_scope(orgs: Iterable | object) -> Iterator[None]:
    """Activate a scope of one or more organisations (objects or ids)."""
    if orgs is not ALL_ORGS:
        if hasattr(orgs, "pk"):
            orgs = [orgs]
        orgs = frozenset(getattr(org, "pk", org) for org in orgs)
    token = _active_orgs.set(orgs)
    try:
        yield
    finally:
        _active_orgs.reset(token)


def scopes_disabled():
    return org_scope(ALL_ORGS)


def active_org_ids() -> frozenset[int] | object | None:
    return _active_orgs.get()


class OrgScopedQuerySet(models.QuerySet):
    pass


class OrgScopedManager(models.Manager.from_queryset(OrgScopedQuerySet)):
    """Default manager of every domain model: rows of the active scope, or an error."""

    def none(self):
        # An empty queryset reveals nothing, so forms may declare ``queryset=Model.objects.none()``.
        return super().get_queryset().none()

    def get_queryset(self):
        orgs = _active_orgs.get()
        queryset = super().get_queryset()
        if orgs is None:
            raise ScopeError(
                "{} queried outside an organisation scope; wrap the code in org_scope(org).".format(self.model.__name__)
            )
        if orgs is ALL_ORGS:
            return queryset
        return queryset.filter(org_id__in=orgs)


class OrgScopedModel(models.Model):
    """A row that belongs to one organisation and is only visible inside its scope."""

    org = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )

    # The default manager is scoped; Django's base manager (used for related-object access such as
    # ``membership.department``) stays plain, so following a foreign key never needs a scope.
    objects = OrgScopedManager()

    class Meta:
        abstract = True

    def full_clean(self, *args, **kwargs):
        super().full_clean(*args, **kwargs)
        self.validate_same_org()

    def _held(self, field):
        """The related row this instance holds for ``field`` (loaded by whoever set it), or None."""
        related = field.get_cached_value(self, None) if field.is_cached(self) else None
        return related if related is not None and related.pk == getattr(self, field.attname) else None

    def clean_fields(self, exclude=None):
        # Django reads each linked row to see that it exists. A row the instance holds exists; a link to an
        # organisation's row is read by validate_same_org() anyway, which refuses a missing one too.
        known = {
            f.name
            for f in self._meta.concrete_fields
            if f.is_relation
            and getattr(self, f.attname) is not None
            and (issubclass(f.related_model, OrgScopedModel) or self._held(f) is not None)
        }
        super().clean_fields(exclude={*(exclude or ()), *known})

    def validate_constraints(self, exclude=None):
        """As Django's, but a per-organisation unique constraint on ``(org, field)`` (e.g. a code, a 工号) is
        reported on ``field`` in words, so a form shows it next to that field instead of at the top; and the
        check constraints are asked in one query, one by one only when one of them fails (to name it)."""
        using = router.db_for_write(self.__class__, instance=self)
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            checks = [c for c in constraints if isinstance(c, models.CheckConstraint)]
            if len(checks) > 1 and self._all_hold(model_class, checks, exclude, using):
                constraints = [c for c in constraints if c not in checks]
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    field_names = [name for name in getattr(constraint, "fields", ()) if name != "org"]
                    if isinstance(constraint, models.UniqueConstraint) and len(field_names) == 1:
                        errors.setdefault(field_names[0], []).append(
                            self.unique_error_message(model_class, (field_names[0],))
                        )
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _all_hold(self, model_class, checks, exclude, using) -> bool:
        against = self._get_field_expression_map(meta=model_class._meta, exclude=exclude)
        try:
            # As each constraint: NULL passes (Q.check coalesces to true); the AND is false when one fails.
            return models.Q(*(check.condition for check in checks)).check(against, using=using)
        except FieldError:  # one names an excluded field: ask them one by one, as Django does
            return False

    def validate_same_org(self) -> None:
        """Refuse links to another organisation's rows (Django checks foreign keys without scope)."""
        errors = {}
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.name == "org" or not issubclass(field.related_model, OrgScopedModel):
                continue
            related_id = getattr(self, field.attname)
            if related_id is None:
                continue
            held = self._held(field)
            related_org_id = (
                held.org_id
                if held is not None
                else field.related_model._base_manager.filter(pk=related_id).values_list("org_id", flat=True).first()
            )
            if related_org_id != self.org_id:
                errors[field.name] = _("Choose an entry of this organisation.")
        if errors:
            raise ValidationError(errors)
