from django.core.management.base import BaseCommand

from houqin.assets import categories


class Command(BaseCommand):
    help = "Load the shipped GB/T 14885 asset categories (adds and corrects rows; removes none)."

    def handle(self, *args, **options):
        count = categories.load()
        self.stdout.write("{} asset categories loaded from {}".format(count, categories.DATA.name))
