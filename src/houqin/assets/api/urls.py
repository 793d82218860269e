from rest_framework.routers import DefaultRouter

from . import assets

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for module in (assets,):
    module.register(router)

urlpatterns = router.urls
