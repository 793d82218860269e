from rest_framework.routers import DefaultRouter

from . import incidents, jobs, patrols, plans

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for module in (jobs, incidents, patrols, plans):
    module.register(router)

urlpatterns = router.urls
