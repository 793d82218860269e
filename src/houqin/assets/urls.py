from .views import depreciation, disposals, imports, ledger, loans, reconciliation, stats, stocktakes, transfers

app_name = "assets"

# Each page module lists its own routes; names follow <model>_<view> (see CONTRIBUTING.md). The label scan
# (HOUQIN_BASE_URL/o/<org>/a/<token>/) is mounted at the root (houqin/urls.py) to keep printed codes short.
urlpatterns = [
    *ledger.urlpatterns,
    *depreciation.urlpatterns,
    *imports.urlpatterns,
    *transfers.urlpatterns,
    *loans.urlpatterns,
    *stocktakes.urlpatterns,
    *disposals.urlpatterns,
    *reconciliation.urlpatterns,
    *stats.urlpatterns,
]
