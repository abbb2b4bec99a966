from django.core.management.base import BaseCommand, CommandError

from cms.sync import CmsSyncError, sync_all


class Command(BaseCommand):
    help = (
        "Create the vendor catalogue, course library and teacher pool pages under the home page "
        "if missing, and bring every vendor page, course page and teacher profile in step."
    )

    def handle(self, *args, **options):
        try:
            counts = sync_all()
        except CmsSyncError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
