"""Pages of the reconciliation part of the assets module."""

urlpatterns = []
