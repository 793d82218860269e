from django.urls import path

from .views import departments, home, locations, security

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("departments/", departments.department_list, name="department_list"),
    path("departments/new/", departments.department_create, name="department_create"),
    path("departments/<int:pk>/", departments.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", departments.department_edit, name="department_edit"),
    path("locations/", locations.location_list, name="location_list"),
    path("locations/new/", locations.location_create, name="location_create"),
    path("locations/qr-sheet/", locations.location_qr_sheet, name="location_qr_sheet"),
    path("locations/export/", locations.location_export, name="location_export"),
    path("locations/<int:pk>/", locations.location_detail, name="location_detail"),
    path("locations/<int:pk>/edit/", locations.location_edit, name="location_edit"),
    path("l/<str:token>/", locations.location_by_token, name="location_by_token"),
    path("security-log/", security.security_log, name="security_log"),
]
