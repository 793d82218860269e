"""The workflow kit: a model declares one transition table; services apply transitions through it.

::

    class Job(OrgScopedModel):
        state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.NEW)
        WORKFLOW = Workflow(
            state_field="state",
            transitions=[
                Transition(source=None, action="report", target=S.NEW, permission=p.JOB_REPORT),
                Transition(source=S.NEW, action="dispatch", target=S.ASSIGNED, permission=p.JOB_DISPATCH,
                           guards=(has_assignee,), label=_("Dispatch")),
                Transition(source=(S.NEW, S.ASSIGNED), action="cancel", target=S.CANCELLED,
                           permission=p.JOB_DISPATCH, label=_("Cancel"), needs_note=True),
            ],
        )

    @transaction.atomic
    def job_dispatch(*, actor, job, assignee):
        job.assignee = assignee
        Job.WORKFLOW.apply(job, "dispatch", actor=actor, also_save=["assignee"])

``apply`` locks the row, refuses a transition the table does not have from the current state (the
message names the state and the action in the reader's language), checks the permission action on
that row with ``restrict()`` (only that the actor holds it, for a ``checks_row=False`` transition whose
service decides who may, like the approval engine's decisions), runs the guards, saves, and appends a
``WorkflowEvent`` that ``{% timeline obj %}`` shows. It is not django-fsm: nothing happens in ``save()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models.workflow import WorkflowEvent
from .permissions import Actor, restrict

# A guard gets the record, the actor and the keyword context given to ``apply``; it returns an error
# message (shown to the user) or None.
Guard = Callable[..., "str | None"]

REGISTRY: dict[str, Workflow] = {}  # model label → its workflow, for the timeline's labels


@dataclass(frozen=True)
class Transition:
    """One row of a transition table. ``source=None`` is the creation of the record (``Workflow.start``);
    a tuple of states lets one action leave several states."""

    source: str | tuple[str, ...] | None
    action: str
    target: str
    permission: str  # an action of the permission table, checked on the row with restrict()
    guards: tuple[Guard, ...] = ()
    label: str = ""  # the button and timeline text; the action code when empty
    needs_note: bool = False
    # False when the service that applies the transition decides which records the actor may move (the
    # approval engine decides whose step waits for whom): the kit then only checks that the actor holds the
    # permission, and ``available()`` offers no button for it.
    checks_row: bool = True

    def leaves(self, state: str | None) -> bool:
        if self.source is None or state is None:
            return self.source is None and state is None
        return state in self.source if isinstance(self.source, tuple) else state == self.source


class Workflow:
    """The transition table of one model, declared as a class attribute (``WORKFLOW = Workflow(...)``)."""

    def __init__(self, *, state_field: str = "state", transitions: Iterable[Transition]):
        self.state_field = state_field
        self.transitions = list(transitions)
        self.model = None

    def contribute_to_class(self, cls, name):
        # Django hands class attributes with this method their model, so labels can be read from it.
        self.model = cls
        setattr(cls, name, self)
        if not cls._meta.abstract:
            REGISTRY[cls._meta.label] = self

    # Labels -------------------------------------------------------------------------------------

    def state_label(self, state: str) -> str:
        if not state:
            return ""
        choices = dict(self.model._meta.get_field(self.state_field).flatchoices)
        return str(choices.get(state, state))

    def action_label(self, action: str) -> str:
        for transition in self.transitions:
            if transition.action == action:
                return str(transition.label or action)
        return action

    # Reading ------------------------------------------------------------------------------------

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def find(self, state: str | None, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action and t.leaves(state)), None)

    def available(self, obj, actor: Actor) -> list[Transition]:
        """The transitions ``actor`` may take on ``obj`` now, by state and permission (for buttons).
        Guards run when the transition is applied, where their message can be shown."""
        state = self.state_of(obj)
        found = []
        allowed: dict[str, bool] = {}
        for transition in self.transitions:
            if transition.source is None or not transition.checks_row or not transition.leaves(state):
                continue
            if transition.permission not in allowed:
                allowed[transition.permission] = self._permitted(obj, actor, transition)
            if allowed[transition.permission]:
                found.append(transition)
        return found

    def _permitted(self, obj, actor: Actor, transition: Transition) -> bool:
        if not actor.can(transition.permission) or actor.via_bureau:
            return False
        if not transition.checks_row:
            return True
        return restrict(type(obj)._default_manager.filter(pk=obj.pk), actor, transition.permission).exists()

    # Writing ------------------------------------------------------------------------------------

    def start(self, obj, action: str, *, actor: Actor | None, note: str = "", **context) -> WorkflowEvent:
        """Create ``obj`` in the target state of the table's creation row (``source=None``) for ``action``.
        ``actor=None`` (with ``system=True``) is the system: a tick job or a public form whose service has
        decided that the move is allowed; the event then names nobody."""
        transition = self.find(None, action)
        if transition is None:
            raise ValueError("{} has no creation transition {!r}".format(self.model.__name__, action))
        self._require_actor(actor, context)
        if actor is not None and (not actor.can(transition.permission) or actor.via_bureau):
            raise PermissionDenied
        try:
            with transaction.atomic():
                self._check(obj, transition, actor, note, context)
                setattr(obj, self.state_field, transition.target)
                # Unique and check constraints are the database's to enforce at the insert: asking first
                # would cost a query each on every creation to catch what almost never happens.
                obj.full_clean(validate_unique=False, validate_constraints=False)
                obj.save()
                if actor is not None and not self._permitted(obj, actor, transition):
                    raise PermissionDenied  # e.g. an ``own`` scope on a record made for someone else
                return self._record(obj, transition, "", actor, note, context.get("on_behalf_of"))
        except IntegrityError:
            # Rolled back; name the broken constraint the way a form would.
            obj.validate_unique()
            obj.validate_constraints()
            raise

    def apply(
        self, obj, action: str, *, actor: Actor | None, note: str = "", also_save: Iterable[str] = (), **context
    ) -> WorkflowEvent:
        """Move ``obj`` by ``action`` inside the caller's transaction, or refuse with a ValidationError
        (illegal here, guard failed, note missing) or PermissionDenied. ``also_save`` names fields the
        caller changed on ``obj`` to save with the state. ``on_behalf_of`` (a User) in ``context`` is
        recorded on the event for decisions made under delegation; ``actor=None`` with ``system=True`` is
        the system (see ``start``)."""
        self._require_actor(actor, context)
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            current = self.state_of(locked)
            setattr(obj, self.state_field, current)  # decide on the locked row, not on what the caller read
            transition = self.find(current, action)
            if transition is None:
                raise ValidationError(
                    _('"{action}" is not possible while the record is "{state}".').format(
                        action=self.action_label(action), state=self.state_label(current)
                    ),
                    code="illegal_transition",
                )
            if actor is not None and not self._permitted(obj, actor, transition):
                raise PermissionDenied
            self._check(obj, transition, actor, note, context)
            setattr(obj, self.state_field, transition.target)
            obj.save(update_fields=[self.state_field, *also_save])
            return self._record(obj, transition, current, actor, note, context.get("on_behalf_of"))

    @staticmethod
    def _require_actor(actor, context: dict) -> None:
        # The system acts only when a caller says so: a forgotten actor must not pass every check.
        if actor is None and not context.pop("system", False):
            raise ValueError("apply/start need an actor, or system=True for a move made by the system")

    def _check(self, obj, transition: Transition, actor: Actor, note: str, context: dict) -> None:
        if transition.needs_note and not note.strip():
            raise ValidationError({"note": _("Give a reason.")})
        errors = [message for guard in transition.guards if (message := guard(obj, actor, **context))]
        if errors:
            raise ValidationError(errors, code="guard")

    def _record(self, obj, transition: Transition, from_state: str, actor: Actor, note: str, on_behalf_of):
        return WorkflowEvent.objects.create(
            org_id=obj.org_id,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            action=transition.action,
            from_state=from_state,
            to_state=transition.target,
            actor=actor.user if actor is not None else None,
            on_behalf_of=on_behalf_of,
            note=note.strip(),
        )


def events_for(obj):
    """The workflow events of one record, oldest first, with the people they name."""
    return WorkflowEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor", "on_behalf_of")


def timeline_entries(obj) -> list[dict]:
    """Events of ``obj`` with their labels, for the timeline component."""
    workflow = REGISTRY[type(obj)._meta.label]
    return [
        {
            "at": event.at,
            "who": event.actor.name if event.actor_id else _("System"),
            "on_behalf_of": event.on_behalf_of.name if event.on_behalf_of_id else "",
            "action": workflow.action_label(event.action),
            "from": workflow.state_label(event.from_state),
            "to": workflow.state_label(event.to_state),
            "note": event.note,
        }
        for event in events_for(obj)
    ]
