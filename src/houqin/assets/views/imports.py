"""Pages of the imports part of the assets module."""

urlpatterns = []
