"""Forms of 报修: the logged-in report, the report without login, and the places open to it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from houqin.assets.models import Asset
from houqin.core import dictionaries
from houqin.core.forms_base import StyledFormMixin
from houqin.core.models import Department, Location

from ..choices import Urgency
from ..services.public import clean_contact_phone, report_description
from ..settings import CATEGORY

MAX_PHOTOS = 6
PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "tel"}


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (camera or gallery on a phone), for the report and the finished work. PDFs and
    Office files are refused here (the attachments kit would take them as documents); the attachments kit checks
    the rest when it attaches them."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(PhotosField, self).clean(item, initial) for item in files if item]
        if len(cleaned) > MAX_PHOTOS:
            raise ValidationError(_("Send at most {count} photos.").format(count=MAX_PHOTOS))
        for upload in cleaned:
            upload.seek(0)
            head = upload.read(8)
            upload.seek(0)
            if head.startswith((b"%PDF-", b"PK\x03\x04")):
                raise ValidationError(
                    _("{name} is not a photo. Take or choose JPEG, PNG or HEIC photos.").format(name=upload.name)
                )
        return cleaned


class AssetCodeField(forms.CharField):
    """An asset named by its code (资产编号, as its label prints it), cleaned to the organisation's asset; empty
    for none. Whether the person may name it is the service's to say (``services.jobs.check_asset``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value):
        code = (super().clean(value) or "").strip()
        if not code:
            return None
        asset = Asset.objects.filter(code=code).first()  # the scoped manager: this organisation's only
        if asset is None:
            raise ValidationError(_("No asset has the code {code}.").format(code=code))
        return asset


def place_label(location: Location) -> str:
    """ "教学楼 · 101教室" (select ``building``)."""
    if location.building_id and location.building_id != location.pk:
        return "{} · {}".format(location.building.name, location.name)
    return location.name


class _ReportFields(StyledFormMixin, forms.Form):
    category = forms.ChoiceField(
        label=_("What is broken?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of repair it is.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what is wrong and where exactly."),
    )
    photos = PhotosField(label=_("Photos"), help_text=_("Optional: take photos or choose them from the gallery."))
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["category"].choices = dictionaries.choices(org, CATEGORY.key)
        self.fields["category"].widget.attrs["class"] = "form-selectgroup-input"
        self.fields["urgency"].widget.attrs["class"] = "form-selectgroup-input"

    def clean_contact_phone(self):
        value = self.cleaned_data.get("contact_phone", "")
        return clean_contact_phone(value) if value.strip() else ""

    def clean(self):
        cleaned = super().clean()
        if "category" in cleaned and "description" in cleaned:
            cleaned["description"] = report_description(self.org, cleaned["category"], cleaned["description"])
        return cleaned


class JobReportForm(_ReportFields):
    """报修 by a logged-in person; the office may also charge another department (someone who phoned)."""

    location = forms.ModelChoiceField(
        label=_("Place"),
        queryset=Location.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the place."), "invalid_choice": _("Choose the place.")},
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, required=False, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    department = forms.ModelChoiceField(
        label=_("Charged department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Empty: the reporter's department."),
    )
    # The asset at fault when the report starts from its label (``?asset=``); the service checks it.
    asset = forms.ModelChoiceField(
        label=_("Asset"),
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Choose an asset of this organisation that you may see.")},
    )

    field_order = ["location", "category", "description", "photos", "urgency", "contact_phone", "department"]

    def __init__(self, *args, locations, can_charge: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["asset"].queryset = Asset.objects.all()
        if can_charge:
            self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        else:
            del self.fields["department"]


class PublicReportForm(_ReportFields):
    """报修 without login: the place comes from the scanned code; a phone number to call back is required."""

    reporter_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
        help_text=_("Required, so that the repair office can call you back."),
        error_messages={"required": _("Enter a phone number so that we can call you back.")},
    )

    field_order = ["category", "description", "photos", "urgency", "reporter_name", "contact_phone"]


class PublicPlaceForm(StyledFormMixin, forms.Form):
    location = forms.ModelChoiceField(label=_("Place"), queryset=Location.objects.none())
    include_children = forms.BooleanField(label=_("And every place below it"), required=False, initial=True)

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
        self.fields["location"].label_from_instance = lambda loc: "{}{} ({})".format(
            "　" * max(loc.depth - 1, 0), loc.name, loc.code
        )
