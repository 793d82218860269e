"""The models of ``core``, one module per building block; each is imported here so Django sees it."""

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
    new_qr_token,
    phone_validator,
)
from .settings import OrgSetting  # noqa: F401
