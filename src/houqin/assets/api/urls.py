from rest_framework.routers import DefaultRouter

from . import assets, disposals, loans, stocktakes, transfers

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for module in (assets, transfers, loans, stocktakes, disposals):
    module.register(router)

urlpatterns = router.urls
