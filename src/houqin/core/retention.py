"""How long the login and export log is kept: an org setting, applied by a `houqin tick` job."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

from . import orgsettings, tick
from .models import Organization, SecurityEvent
from .tenancy import org_scope

RETENTION_DAYS = orgsettings.register(
    orgsettings.Setting(
        key="core.security_log_retention_days",
        label=_("Keep the login and export log for (days)"),
        default=365,
        section=_("Security"),
        # 《网络安全法》第二十一条: network logs are kept for at least six months.
        form_field=orgsettings.integer_field(min_value=180, max_value=3650),
        help_text=_(
            "Older entries are deleted by the scheduled task. The Cybersecurity Law (article 21) asks for at "
            "least six months (180 days)."
        ),
    )
)


@tick.job("core.security_log_retention")
def purge_old_security_events(now: datetime) -> int:
    """Delete each organisation's entries older than its retention. Logins are recorded before an
    organisation is chosen (no org): they go after the longest retention any organisation asks for."""
    deleted = 0
    longest = RETENTION_DAYS.default
    for org in Organization.objects.filter(is_active=True).only("pk"):
        with org_scope(org):
            days = orgsettings.value(org, RETENTION_DAYS.key)
        longest = max(longest, days)
        deleted += SecurityEvent.objects.filter(org=org, created_at__lt=now - timedelta(days=days)).delete()[0]
    cutoff = now - timedelta(days=longest)
    deleted += SecurityEvent.objects.filter(org__isnull=True, created_at__lt=cutoff).delete()[0]
    return deleted
