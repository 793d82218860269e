from django.urls import path
from rest_framework.routers import DefaultRouter

from . import approvals as approvals_api
from . import attachments, parties, views
from . import calendar as calendar_api
from . import notifications as notifications_api
from . import settings as settings_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organizations", views.OrganizationViewSet, basename="api_organization")
router.register("departments", views.DepartmentViewSet, basename="api_department")
router.register("locations", views.LocationViewSet, basename="api_location")
router.register("people", views.PersonViewSet, basename="api_person")
router.register("memberships", views.MembershipViewSet, basename="api_membership")
router.register("parties", parties.PartyViewSet, basename="api_party")
router.register("party-licences", parties.PartyLicenceViewSet, basename="api_party_licence")
router.register("party-contacts", parties.PartyContactViewSet, basename="api_party_contact")
router.register("attachments", attachments.AttachmentViewSet, basename="api_attachment")
router.register("attachment-files", attachments.AttachmentFileViewSet, basename="api_attachment_file")
router.register("settings", settings_api.SettingViewSet, basename="api_setting")
router.register("dictionaries", settings_api.DictionaryViewSet, basename="api_dictionary")
router.register("calendar-days", calendar_api.CalendarDayViewSet, basename="api_calendar_day")
router.register("terms", calendar_api.TermViewSet, basename="api_term")
router.register("notifications", notifications_api.NotificationViewSet, basename="api_notification")
router.register("approvals/inbox", approvals_api.ApprovalInboxViewSet, basename="api_approval_inbox")
router.register("approvals/requests", approvals_api.ApprovalRequestViewSet, basename="api_approval")
router.register("approvals/delegations", approvals_api.DelegationViewSet, basename="api_delegation")

urlpatterns = [
    *router.urls,
    path(
        "notification-preferences/",
        notifications_api.NotificationPreferenceViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update"}
        ),
        name="api_notification_preference",
    ),
]
