"""Pages of the stocktakes part of the assets module."""

urlpatterns = []
