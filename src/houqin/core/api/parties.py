"""API of outside parties: parties, their licences and contacts; every write through ``party_services``."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Prefetch
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status

from .. import orgsettings
from .. import party_services as services
from .. import permissions as p
from ..filtersets import PartyFilterSet
from ..models import Party, PartyContact, PartyLicence
from ..models.parties import expiry_state
from .serializers import OrgRowField
from .views import OrgWriteViewSet


class PartyLicenceSerializer(serializers.ModelSerializer):
    """A licence; ``kind`` is a code of the org's "party.licence_kind" dictionary."""

    party = OrgRowField(Party)
    expiry = serializers.SerializerMethodField(
        help_text='"expired", "expiring" (within the org\'s setting parties.licence_warning_days) or empty.'
    )

    class Meta:
        model = PartyLicence
        fields = ["id", "party", "kind", "number", "issued_on", "expires_on", "note", "expiry"]

    def get_expiry(self, licence) -> str:
        return expiry_state(licence.expires_on, timezone.localdate(), self.context["licence_warning_days"])


class PartyLicenceUpdateSerializer(PartyLicenceSerializer):
    party = serializers.PrimaryKeyRelatedField(read_only=True)  # stays with its party


class PartyContactSerializer(serializers.ModelSerializer):
    party = OrgRowField(Party)

    class Meta:
        model = PartyContact
        fields = ["id", "party", "name", "phone", "position"]


class PartyContactUpdateSerializer(PartyContactSerializer):
    party = serializers.PrimaryKeyRelatedField(read_only=True)  # stays with its party


class PartySerializer(serializers.ModelSerializer):
    licences = PartyLicenceSerializer(many=True, read_only=True)
    contacts = PartyContactSerializer(many=True, read_only=True)

    class Meta:
        model = Party
        fields = [
            "id",
            "name",
            "kind",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "bank_name",
            "bank_account",
            "note",
            "is_active",
            "licences",
            "contacts",
        ]
        read_only_fields = ["id", "is_active", "licences", "contacts"]
        # The unique (org, name) rule is checked by the service, in the person's language, per field.
        validators = []

    def validate_credit_code(self, value):
        return "".join(value.split()).upper()


class PartyUpdateSerializer(PartySerializer):
    class Meta(PartySerializer.Meta):
        read_only_fields = ["id", "licences", "contacts"]


class LicenceWarningDaysMixin:
    """Gives the serializers the org's licence warning days, read once per request (not once per licence)."""

    @cached_property
    def licence_warning_days(self) -> int:
        return orgsettings.value(self.request.org, services.LICENCE_WARNING_DAYS.key)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "licence_warning_days": self.licence_warning_days}


@extend_schema_view(
    list=extend_schema(summary="Outside parties"),
    retrieve=extend_schema(summary="One outside party, with its licences and contacts"),
    create=extend_schema(summary="Add an outside party"),
    update=extend_schema(summary="Change an outside party", responses=PartySerializer),
    partial_update=extend_schema(summary="Change some fields of an outside party", responses=PartySerializer),
)
class PartyViewSet(LicenceWarningDaysMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, OrgWriteViewSet):
    """Suppliers, contractors, 物业 companies, tenants. Not deleted: set ``is_active`` to false."""

    queryset = Party.objects.none()
    serializer_class = PartySerializer
    update_serializer_class = PartyUpdateSerializer
    filterset_class = PartyFilterSet
    view_permission = p.PARTY_VIEW
    manage_permission = p.PARTY_MANAGE
    ordering = "pk"

    def base_queryset(self):
        return Party.objects.prefetch_related(
            Prefetch("licences", queryset=PartyLicence.objects.order_by("pk")),
            Prefetch("contacts", queryset=PartyContact.objects.order_by("pk")),
        )

    def create(self, request, *args, **kwargs):
        party = services.party_create(actor=self.actor, **self.validated())
        return self.read_response(party, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        party = self.get_object()
        data = self.validated(party, partial=kwargs.get("partial", False))
        services.party_update(actor=self.actor, party=party, **data)
        return self.read_response(party)


class PartyChildFilterSet(filters.FilterSet):
    party = filters.NumberFilter(field_name="party", label="Of the outside party (id)")


class _PartyChildViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, OrgWriteViewSet):
    filterset_class = PartyChildFilterSet
    view_permission = p.PARTY_VIEW
    manage_permission = p.PARTY_MANAGE
    ordering = "pk"


@extend_schema_view(
    list=extend_schema(summary="Licences of outside parties (filter with ?party=<id>)"),
    retrieve=extend_schema(summary="One licence"),
    create=extend_schema(summary="Add a licence to a party"),
    update=extend_schema(summary="Change a licence", responses=PartyLicenceSerializer),
    partial_update=extend_schema(summary="Change some fields of a licence", responses=PartyLicenceSerializer),
)
class PartyLicenceViewSet(LicenceWarningDaysMixin, _PartyChildViewSet):
    queryset = PartyLicence.objects.none()
    serializer_class = PartyLicenceSerializer
    update_serializer_class = PartyLicenceUpdateSerializer

    def create(self, request, *args, **kwargs):
        licence = services.party_licence_create(actor=self.actor, **self.validated())
        return self.read_response(licence, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        licence = self.get_object()
        data = self.validated(licence, partial=kwargs.get("partial", False))
        services.party_licence_update(actor=self.actor, licence=licence, **data)
        return self.read_response(licence)


@extend_schema_view(
    list=extend_schema(summary="Contacts of outside parties (filter with ?party=<id>)"),
    retrieve=extend_schema(summary="One contact"),
    create=extend_schema(summary="Add a contact to a party"),
    update=extend_schema(summary="Change a contact", responses=PartyContactSerializer),
    partial_update=extend_schema(summary="Change some fields of a contact", responses=PartyContactSerializer),
    destroy=extend_schema(summary="Remove a contact"),
)
class PartyContactViewSet(mixins.DestroyModelMixin, _PartyChildViewSet):
    queryset = PartyContact.objects.none()
    serializer_class = PartyContactSerializer
    update_serializer_class = PartyContactUpdateSerializer

    def create(self, request, *args, **kwargs):
        contact = services.party_contact_create(actor=self.actor, **self.validated())
        return self.read_response(contact, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        contact = self.get_object()
        data = self.validated(contact, partial=kwargs.get("partial", False))
        services.party_contact_update(actor=self.actor, contact=contact, **data)
        return self.read_response(contact)

    def perform_destroy(self, instance):
        services.party_contact_delete(actor=self.actor, contact=instance)
