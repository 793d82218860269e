"""board pages."""

urlpatterns = []
