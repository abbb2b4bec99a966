"""Benchmark the demo city's loader: a first load, then a reset and reload (``make run``'s
``load_demo_city`` and ``load_demo_city --reset``).

Like ``benchmarks.catalogue`` it works on a fresh database made with Django's test-database
machinery (a SQLite file in the temporary folder, or ``test_<name>`` beside the PostgreSQL
database that ``DATABASE_URL`` names — never the database itself), dropped at the end. Times
are wall-clock (``time.perf_counter``) around the management command, ``--repeat`` times;
it prints each run and the median.

Usage::

    python -m benchmarks.demo_load [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/demobench python -m benchmarks.demo_load
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import logging

    import django

    django.setup()
    # Wagtail logs every page it publishes; the figures are what this prints.
    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        path = os.path.join(tempfile.gettempdir(), f"demo-bench-{os.getpid()}.sqlite3")
        settings_dict.setdefault("TEST", {})["NAME"] = path
    engine = settings_dict["ENGINE"].rsplit(".", 1)[-1]
    old_config = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    try:

        def timed(*options) -> float:
            started = time.perf_counter()
            call_command("load_demo_city", *options, stdout=io.StringIO())
            return time.perf_counter() - started

        first = timed()
        resets = [timed("--reset") for _ in range(args.repeat)]
        print(f"database: {engine}")
        print(f"first load: {first:.1f} s")
        print(
            f"reset + reload: {', '.join(f'{s:.1f}' for s in resets)} s (median {statistics.median(resets):.1f} s)"
        )
    finally:
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
