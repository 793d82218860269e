"""Pages of the loans part of the assets module."""

urlpatterns = []
