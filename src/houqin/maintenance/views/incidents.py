"""incidents pages."""

urlpatterns = []
