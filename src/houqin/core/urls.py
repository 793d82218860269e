from django.urls import include, path

from .views import approvals as approval_views
from .views import attachments as attachment_views
from .views import calendar as calendar_views
from .views import compensation as compensation_views
from .views import departments, home, imports, locations, organizations, parties, people, security
from .views import facts as fact_views
from .views import notifications as notification_views
from .views import settings as settings_views

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("organization/", organizations.organization_detail, name="organization_detail"),
    path("departments/", departments.department_list, name="department_list"),
    path("departments/new/", departments.department_create, name="department_create"),
    path("departments/<int:pk>/", departments.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", departments.department_edit, name="department_edit"),
    path("locations/", locations.location_list, name="location_list"),
    path("locations/new/", locations.location_create, name="location_create"),
    path("locations/qr-sheet/", locations.location_qr_sheet, name="location_qr_sheet"),
    path("locations/export/", locations.location_export, name="location_export"),
    path("locations/import/", imports.location_import, name="location_import"),
    path("locations/import/template/", imports.location_import_template, name="location_import_template"),
    path("locations/<int:pk>/", locations.location_detail, name="location_detail"),
    path("locations/<int:pk>/edit/", locations.location_edit, name="location_edit"),
    path("locations/<int:pk>/print/", locations.location_print, name="location_print"),
    path("l/<str:token>/", locations.location_by_token, name="location_by_token"),
    path("people/", people.person_list, name="person_list"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/export/", people.person_export, name="person_export"),
    path("people/import/", imports.person_import, name="person_import"),
    path("people/import/template/", imports.person_import_template, name="person_import_template"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", people.person_roles, name="person_roles"),
    path("people/<int:pk>/reset-password/", people.person_reset_password, name="person_reset_password"),
    path(
        "compensations/<int:pk>/settle/",
        compensation_views.compensation_settle_view,
        name="compensation_settle",
    ),
    path("security-log/", security.security_log, name="security_log"),
    path("parties/", parties.party_list, name="party_list"),
    path("parties/new/", parties.party_create, name="party_create"),
    path("parties/export/", parties.party_export, name="party_export"),
    path("parties/<int:pk>/", parties.party_detail, name="party_detail"),
    path("parties/<int:pk>/edit/", parties.party_edit, name="party_edit"),
    path("parties/<int:pk>/licences/new/", parties.party_licence_create, name="party_licence_create"),
    path("parties/licences/<int:pk>/edit/", parties.party_licence_edit, name="party_licence_edit"),
    path("parties/<int:pk>/contacts/new/", parties.party_contact_create, name="party_contact_create"),
    path("parties/contacts/<int:pk>/edit/", parties.party_contact_edit, name="party_contact_edit"),
    path("parties/contacts/<int:pk>/delete/", parties.party_contact_delete, name="party_contact_delete"),
    path("attachments/<int:pk>/", attachment_views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/thumbnail/", attachment_views.attachment_thumbnail, name="attachment_thumbnail"),
    path("attachments/<int:pk>/remove/", attachment_views.attachment_void, name="attachment_void"),
    path(
        "attachments/upload/<str:owner>/<int:owner_id>/", attachment_views.attachment_upload, name="attachment_upload"
    ),
    path("settings/", settings_views.settings_hub, name="settings_hub"),
    path("settings/dictionaries/<str:key>/", settings_views.settings_dictionary, name="settings_dictionary"),
    path("settings/calendar/", calendar_views.calendar_day_list, name="calendar_day_list"),
    path("settings/calendar/new/", calendar_views.calendar_day_create, name="calendar_day_create"),
    path("settings/calendar/<int:pk>/edit/", calendar_views.calendar_day_edit, name="calendar_day_edit"),
    path("settings/calendar/<int:pk>/delete/", calendar_views.calendar_day_delete, name="calendar_day_delete"),
    path("settings/terms/", calendar_views.term_list, name="term_list"),
    path("settings/terms/new/", calendar_views.term_create, name="term_create"),
    path("settings/terms/<int:pk>/edit/", calendar_views.term_edit, name="term_edit"),
    path("settings/terms/<int:pk>/delete/", calendar_views.term_delete, name="term_delete"),
    path("facts/", fact_views.fact_list, name="fact_list"),
    path("notifications/", include(notification_views.urlpatterns)),
    path("approvals/", include(approval_views.urlpatterns)),
]
