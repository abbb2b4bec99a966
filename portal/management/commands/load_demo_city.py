"""``manage.py load_demo_city``: fill the database with the deterministic demo city."""

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from fixtures.demo import (
    DEFAULT_SEED,
    build_demo_city,
    demo_data_present,
    reset_demo_city,
)


class Command(BaseCommand):
    help = _(
        "Load the demo city (districts, schools, vendors, courses, activities, households "
        "and one login per role) into the database."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse wraps the description with a regular expression, which needs a str, not
        # the lazy translation (``--help`` failed with a TypeError).
        parser.description = str(self.help)
        return parser

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--reset",
            action="store_true",
            help=_("Delete all domain data and every user except superusers first, then load."),
        )
        mode.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing when the database already holds a district."),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=_("Seed of the random generator (the same seed gives the same city)."),
        )

    def handle(self, *args, reset=False, if_empty=False, seed=DEFAULT_SEED, **options):
        if demo_data_present():
            if if_empty:
                self.stdout.write("The database already holds data; the demo city was not loaded.")
                return
            if not reset:
                raise CommandError(
                    "The database already holds data. Run with --reset to replace it "
                    "with the demo city, or with --if-empty to leave it alone."
                )
        if reset:
            reset_demo_city(stdout=self.stdout)
        result = build_demo_city(stdout=self.stdout, seed=seed)
        self.stdout.write(self.style.SUCCESS(self._counts_line(result["counts"])))
        self._print_logins(result["logins"])

    @staticmethod
    def _counts_line(counts: dict) -> str:
        return "Counts: " + ", ".join(f"{name} {count}" for name, count in counts.items())

    def _print_logins(self, logins: list[dict]) -> None:
        headers = ("role", "email", "password", "name", "home scope")
        rows = [(row["role"], row["email"], row["password"], row["name"], row["scope"]) for row in logins]
        widths = [max(_width(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
        self.stdout.write("")
        self.stdout.write("Role logins:")
        for index, row in enumerate([headers, *rows]):
            line = "  ".join(_pad(str(cell), width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))


def _width(text: str) -> int:
    """Terminal columns: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
