from .views import depreciation, ledger

app_name = "assets"

# Each page module lists its own routes; names follow <model>_<view> (see CONTRIBUTING.md). The label scan
# (HOUQIN_BASE_URL/o/<org>/a/<token>/) is mounted at the root (houqin/urls.py) to keep printed codes short.
urlpatterns = [
    *ledger.urlpatterns,
    *depreciation.urlpatterns,
]
