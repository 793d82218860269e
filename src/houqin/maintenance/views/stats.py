"""stats pages."""

urlpatterns = []
