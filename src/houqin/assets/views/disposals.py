"""Pages of the disposals part of the assets module."""

urlpatterns = []
