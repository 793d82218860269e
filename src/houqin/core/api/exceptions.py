from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def _unique_field(error: DjangoValidationError) -> str | None:
    """The field a per-org unique constraint is about: ("org", "code") → "code"; else None."""
    params = getattr(error, "params", None) or {}
    if getattr(error, "code", None) not in ("unique", "unique_together") or not isinstance(params, dict):
        return None
    fields = [name for name in params.get("unique_check", ()) if name != "org"]
    return fields[0] if len(fields) == 1 else None


def field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as DRF field errors; a clash on (org, field) is reported on that field."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(exc, "error_dict"):
        return {non_field: exc.messages}
    detail: dict[str, list[str]] = {}
    for name, errors in exc.error_dict.items():
        for error in errors:
            target = (_unique_field(error) or non_field) if name == NON_FIELD_ERRORS else name
            detail.setdefault(target, []).extend(error.messages)
    return detail


def exception_handler(exc, context):
    """A Django ValidationError raised by a service becomes a 400 with field errors, like a serializer's."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    return drf_exception_handler(exc, context)
