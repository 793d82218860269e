from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import dictionaries
from .choices import LocationKind, Role
from .forms_base import StyledFormMixin
from .models import Department, Location, Party


class TreeChoiceField(forms.ModelChoiceField):
    """A parent picker that shows the tree by indenting each entry by its depth."""

    def label_from_instance(self, obj):
        return "\u3000" * (obj.depth - 1) + obj.name


class DepartmentForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=Department._meta.get_field("kind").choices)
    parent = TreeChoiceField(label=_("Parent department"), queryset=Department.objects.none(), required=False)

    def __init__(self, *args, instance: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Department.objects.filter(is_active=True)
        if instance is not None:
            parents = parents.exclude(path__startswith=instance.path)
        self.fields["parent"].queryset = parents.order_by("path")


class DepartmentEditForm(DepartmentForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class LocationForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("Unique in the organisation, e.g. A-3-301."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Location._meta.get_field("kind").choices)
    parent = TreeChoiceField(label=_("Inside"), queryset=Location.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    is_critical = forms.BooleanField(
        label=_("Critical place"),
        required=False,
        help_text=Location._meta.get_field("is_critical").help_text,
    )
    use = forms.ChoiceField(label=_("Use"), required=False)

    def __init__(self, *args, instance: Location | None = None, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        uses = dictionaries.choices(org, dictionaries.LOCATION_USE.key) if org is not None else []
        if instance is not None and instance.use and instance.use not in dict(uses):
            # A use retired since this place was recorded stays selectable for it.
            uses.append((instance.use, dictionaries.label(org, dictionaries.LOCATION_USE.key, instance.use)))
        self.fields["use"].choices = [("", "---------"), *uses]
        parents = Location.objects.filter(is_active=True).exclude(kind=LocationKind.ROOM)
        if instance is not None:
            parents = parents.exclude(path__startswith=instance.path)
        self.fields["parent"].queryset = parents.order_by("path")


class LocationEditForm(LocationForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)


class PersonForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile number"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    employee_no = forms.CharField(label=_("Employee number"), max_length=30, required=False)
    department = TreeChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    party = forms.ModelChoiceField(
        label=_("Outside party"),
        queryset=Party.objects.none(),
        required=False,
        help_text=_("For people of a property company, contractor or supplier working here (e.g. as technicians)."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("path")
        self.fields["party"].queryset = Party.objects.filter(is_active=True).order_by("name")


class PersonEditForm(PersonForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["phone"]
        del self.fields["roles"]
