from django.apps import AppConfig


class SampleConfig(AppConfig):
    name = "houqin.sample"
    label = "sample"
    verbose_name = "Sample (tests only)"

    def ready(self):
        from . import services  # noqa: F401  (registers the "sample.request" approval kind)
