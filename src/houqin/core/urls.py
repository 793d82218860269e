from django.urls import path

from .views import departments, home, imports, locations, organizations, people, security

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
    path("security-log/", security.security_log, name="security_log"),
]
