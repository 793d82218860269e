from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organizations", views.OrganizationViewSet, basename="api_organization")
router.register("departments", views.DepartmentViewSet, basename="api_department")
router.register("locations", views.LocationViewSet, basename="api_location")
router.register("people", views.PersonViewSet, basename="api_person")
router.register("memberships", views.MembershipViewSet, basename="api_membership")

urlpatterns = router.urls
