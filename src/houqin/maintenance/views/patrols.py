"""patrols pages."""

urlpatterns = []
