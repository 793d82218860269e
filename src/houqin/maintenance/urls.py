from .views import board, incidents, jobs, patrols, plans, public, report, stats

app_name = "maintenance"

# Each page module lists its own routes; names follow <model>_<view> (see CONTRIBUTING.md).
urlpatterns = [
    *report.urlpatterns,
    *jobs.urlpatterns,
    *board.urlpatterns,
    *stats.urlpatterns,
    *incidents.urlpatterns,
    *patrols.urlpatterns,
    *plans.urlpatterns,
    *public.urlpatterns,
]
