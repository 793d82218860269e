"""factory_boy factories for the foundation. Scoped rows are created inside ``org_scope`` by the caller
or through ``make_*`` helpers, which keep tree paths right."""

from __future__ import annotations

import hashlib
import itertools
from io import BytesIO

import factory
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from PIL import Image

from ..choices import DepartmentKind, OrgKind, Role
from ..models import Attachment, Department, Location, Membership, Organization, Party, RoleGrant, User
from ..tenancy import scopes_disabled

PASSWORD = "test-pass-123"
_phones = itertools.count(13900000000)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.LazyFunction(lambda: str(next(_phones)))
    name = factory.Sequence(lambda n: "用户{}".format(n))
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_org(code: str, name: str, kind: str = OrgKind.SCHOOL, parent: Organization | None = None) -> Organization:
    org = Organization(code=code, name=name, kind=kind, parent=parent)
    org.tree_save()
    return org


def make_department(org, name: str, code: str, parent: Department | None = None, kind=DepartmentKind.OFFICE):
    with scopes_disabled():
        department = Department(org=org, name=name, code=code, parent=parent, kind=kind)
        department.tree_save()
    return department


def make_location(org, name: str, code: str, kind: str, parent: Location | None = None) -> Location:
    with scopes_disabled():
        location = Location(org=org, name=name, code=code, kind=kind, parent=parent)
        location.tree_save()
    return location


def make_member(org, *roles: str, department=None, user=None, employee_no: str = "", name: str | None = None):
    with scopes_disabled():
        user = user or UserFactory(**({"name": name} if name else {}))
        membership = Membership.objects.create(org=org, user=user, department=department, employee_no=employee_no)
        for role in roles:
            RoleGrant.objects.create(org=org, membership=membership, role=role)
    return membership


ORG_A_ROLES = [role for role in Role.values if role != Role.BUREAU]


def make_party(org, name: str = "城南物业管理有限公司", kind: str = "property_manager", **fields):
    with scopes_disabled():
        return Party.objects.create(org=org, name=name, kind=kind, **fields)


def png_bytes(size=(40, 30), colour="red") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def make_attachment(owner, user, *, content: bytes | None = None, name: str = "照片.png"):
    """An attachment on ``owner`` stored directly (no processing), for tests about access rather than uploads."""
    content = content or png_bytes()
    with scopes_disabled():
        attachment = Attachment(
            org_id=owner.org_id,
            content_type=ContentType.objects.get_for_model(type(owner)),
            object_id=owner.pk,
            original_name=name,
            mime_type="image/png",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=user,
        )
        attachment.file.save("file.png", ContentFile(content), save=False)
        attachment.thumbnail.save("thumb.png", ContentFile(content), save=False)
        attachment.save()
    return attachment
