from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    BUREAU = "bureau", _("Supervising bureau")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    HOSPITAL = "hospital", _("Hospital")
    CAMPUS = "campus", _("Campus")
    OTHER = "other", _("Other")


class DepartmentKind(models.TextChoices):
    OFFICE = "office", _("Office")
    GRADE_GROUP = "grade_group", _("Grade group")
    TEACHING_GROUP = "teaching_group", _("Teaching and research group")
    CLINICAL = "clinical", _("Clinical department")
    MEDICAL_TECH = "medical_tech", _("Medical technology department")
    NURSING = "nursing", _("Nursing unit")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


class LocationKind(models.TextChoices):
    CAMPUS = "campus", _("Campus")
    BUILDING = "building", _("Building")
    FLOOR = "floor", _("Floor")
    ROOM = "room", _("Room")
    AREA = "area", _("Outdoor area")


class Role(models.TextChoices):
    LEADER = "leader", _("Principal / president")
    LOGISTICS_HEAD = "logistics_head", _("Head of logistics")
    ORG_ADMIN = "org_admin", _("System administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ASSET_CLERK = "asset_clerk", _("Asset clerk")
    STOREKEEPER = "storekeeper", _("Storekeeper")
    PURCHASER = "purchaser", _("Purchaser")
    TECHNICIAN = "technician", _("Technician")
    SECURITY = "security", _("Security guard")
    CANTEEN = "canteen", _("Canteen manager")
    DEPT_HEAD = "dept_head", _("Department head")
    STAFF = "staff", _("Staff member")
    FINANCE = "finance", _("Finance")
    BUREAU = "bureau", _("Supervising bureau")


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOGOUT = "logout", _("Logged out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("One-time password issued")
    EXPORT = "export", _("Export")
