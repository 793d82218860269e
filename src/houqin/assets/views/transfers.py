"""Pages of the transfers part of the assets module."""

urlpatterns = []
