"""The models of ``core``, one module per building block; each is imported here so Django sees it."""

from .approvals import (  # noqa: F401
    ApprovalRequest,
    ApprovalRule,
    ApprovalRuleStep,
    ApprovalState,
    ApprovalStep,
    Delegation,
    StepState,
)
from .attachments import Attachment  # noqa: F401
from .calendar import CalendarDay, CalendarDayKind, Term, TermKind  # noqa: F401
from .compensation import Compensation, CompensationState  # noqa: F401
from .dictionaries import DictionaryItem  # noqa: F401
from .notifications import (  # noqa: F401
    Notification,
    NotificationPreference,
    OutboxKind,
    OutboxMessage,
    OutboxState,
    WebhookChannel,
    WebhookKind,
)
from .numbering import NumberSequence  # noqa: F401
from .org import (  # noqa: F401
    Department,
    Location,
    Membership,
    Organization,
    RoleGrant,
    SecurityEvent,
    User,
    UserManager,
    code_validator,
    mask_phone,
    new_qr_token,
    phone_validator,
)
from .parties import LicenceReminder, Party, PartyContact, PartyKind, PartyLicence  # noqa: F401
from .settings import OrgSetting  # noqa: F401
from .workflow import WorkflowEvent  # noqa: F401
