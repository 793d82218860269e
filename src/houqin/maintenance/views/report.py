"""report pages."""

urlpatterns = []
