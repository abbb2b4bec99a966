"""Benchmarks of the after-school scheduler.

``benchmarks.generate`` builds seeded, realistic timetable problems (format
``afterschool-timetable/1``, see ``shared/spec/timetable-json.md``) in three sizes, and
``benchmarks.run`` solves them with the solver and with the first-come baseline, checks both
solutions and prints the comparison against the project's targets. ``benchmarks.timing``
measures the latencies the unit tests leave out (validation, time limit, stop, cancel).
"""
