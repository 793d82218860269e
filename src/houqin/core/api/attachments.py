"""API of attachments: list the files of records you may see, upload (multipart), remove, download.

Access follows the record a file is attached to, as on the pages: reading needs the record's view action,
uploading and removing its change action (``attachments.register_owner``). The actions declared below
(``org.view``) only admit members of the organisation; the owner's permission decides each file.
"""

from __future__ import annotations

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from .. import attachments
from .. import permissions as p
from ..models import Attachment
from ..views.attachments import file_response
from .base import OrgViewSetMixin

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AttachmentSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField(help_text='The kind of record, e.g. "core.location".')
    owner_id = serializers.IntegerField(source="object_id", read_only=True)
    name = serializers.CharField(source="download_name", read_only=True)
    uploaded_by_name = serializers.CharField(source="uploaded_by.name", read_only=True, default="")
    download_url = serializers.SerializerMethodField(help_text="Where the API serves the file itself.")

    class Meta:
        model = Attachment
        fields = [
            "id",
            "owner",
            "owner_id",
            "name",
            "mime_type",
            "size",
            "width",
            "height",
            "sha256",
            "note",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_owner(self, attachment: Attachment) -> str:
        return "{}.{}".format(attachment.content_type.app_label, attachment.content_type.model)

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse("api_attachment_file-detail", args=[attachment.org.code, attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    owner = serializers.CharField(help_text='The kind of record, e.g. "core.location" or "core.party".')
    owner_id = serializers.IntegerField(min_value=1)
    file = serializers.FileField(help_text="A photo (JPEG, PNG, HEIC), a PDF, or a Word or Excel file.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AttachmentFilterSet(filters.FilterSet):
    owner = filters.CharFilter(method="filter_owner", label='Kind of record, e.g. "core.location"')
    owner_id = filters.NumberFilter(field_name="object_id", label="Id of the record")

    def filter_owner(self, queryset, name, value):
        owner = attachments.OWNERS.get(value)
        if owner is None:
            return queryset.none()
        return queryset.filter(
            content_type__app_label=owner.model._meta.app_label, content_type__model=owner.model._meta.model_name
        )


class _AttachmentAccess(OrgViewSetMixin):
    view_permission = p.ORG_VIEW
    manage_permission = p.ORG_VIEW

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.actor.via_bureau and request.method not in SAFE_METHODS:
            raise PermissionDenied  # a bureau reads below it and writes nothing there

    def get_queryset(self):
        return attachments.visible_to(self.actor).select_related("content_type", "uploaded_by", "org")


@extend_schema_view(
    list=extend_schema(summary="Attachments of records you may see (filter by owner and owner_id)"),
    retrieve=extend_schema(summary="One attachment's details"),
    create=extend_schema(
        summary="Attach a file to a record",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer},
    ),
    destroy=extend_schema(summary="Remove an attachment from its record (kept and recorded, no longer shown)"),
)
class AttachmentViewSet(
    _AttachmentAccess,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Attachment.objects.none()
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilterSet
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    ordering = "pk"

    def get_serializer_class(self):
        return AttachmentUploadSerializer if self.action == "create" else AttachmentSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = attachments.owner_object(data["owner"], data["owner_id"], self.actor)
        if owner is None:
            raise NotFound
        attachment = attachments.attachment_create(
            actor=self.actor, owner=owner, upload=data["file"], note=data["note"]
        )
        attachment = self.get_queryset().get(pk=attachment.pk)
        return Response(
            AttachmentSerializer(attachment, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance):
        attachments.attachment_void(actor=self.actor, attachment=instance)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Download an attachment's file",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
)
class AttachmentFileViewSet(_AttachmentAccess, viewsets.GenericViewSet):
    """The stored file: photos inline, documents as downloads, with the name the person gave it."""

    queryset = Attachment.objects.none()
    serializer_class = AttachmentSerializer  # for the schema only; the answer is the file

    def retrieve(self, request, *args, **kwargs):
        return file_response(self.get_object())
