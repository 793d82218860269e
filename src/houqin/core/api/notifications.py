"""API of the person's own notifications and notification settings in one organisation.

Same rules as the pages: only one's own rows (another person's are "not found"), writes through the
services of ``core.notifications``, and nothing for a bureau reader (their inbox is in their own org).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from .. import notifications as service
from .. import permissions as p
from ..models import Notification
from .base import OrgViewSetMixin


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields
        extra_kwargs = {
            "event": {"help_text": "Dotted event key, e.g. approvals.pending"},
            "url": {"help_text": "Path on this site of the record concerned (empty: none)"},
        }

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read")


class NotificationPreferenceSerializer(serializers.Serializer):
    email = serializers.BooleanField(help_text="Also send an email (only sent while the account has an address)")
    robot_mention = serializers.BooleanField(help_text="@ me by mobile number in the group robots' messages")
    email_available = serializers.BooleanField(
        read_only=True, help_text="False when the account has no email address, so no email can be sent"
    )


class _OwnInboxMixin(OrgViewSetMixin):
    view_permission = p.NOTIFICATION_VIEW
    manage_permission = p.NOTIFICATION_VIEW  # marking read and choosing channels are one's own business

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.actor.via_bureau:
            raise NotFound


@extend_schema_view(
    list=extend_schema(summary="My notifications", description="Newest first; `is_read` false for unread ones."),
    retrieve=extend_schema(summary="One of my notifications"),
)
class NotificationViewSet(_OwnInboxMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The person's own in-app notifications in this organisation."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    ordering = "-id"

    def get_queryset(self):
        return service.own_notifications(self.actor)

    @extend_schema(summary="Mark one notification as read", request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        notification = service.notification_mark_read(actor=self.actor, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(summary="Mark all my notifications as read", request=None, responses=MarkedReadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, *args, **kwargs):
        return Response({"marked": service.notification_mark_all_read(actor=self.actor)})


class NotificationPreferenceViewSet(_OwnInboxMixin, viewsets.GenericViewSet):
    """Where my notifications reach me besides the in-app inbox (always on)."""

    serializer_class = NotificationPreferenceSerializer

    def _current(self) -> dict:
        preference = service.preferences_for(self.actor.org, [self.actor.user])[self.actor.user.pk]
        return {
            "email": preference.email,
            "robot_mention": preference.robot_mention,
            "email_available": bool(self.actor.user.email),
        }

    @extend_schema(summary="My notification settings", responses=NotificationPreferenceSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(self._current())

    @extend_schema(summary="Change my notification settings", responses=NotificationPreferenceSerializer)
    def update(self, request, *args, **kwargs):
        return self._save(partial=False)

    @extend_schema(summary="Change some of my notification settings", responses=NotificationPreferenceSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self._save(partial=True)

    def _save(self, *, partial: bool) -> Response:
        serializer = self.get_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        current = self._current()
        values = {"email": current["email"], "robot_mention": current["robot_mention"], **serializer.validated_data}
        service.notification_preference_update(actor=self.actor, **values)
        return Response(self._current())
