"""``python -m scheduling solve|check|cover``: the timetable engine from the command line."""

from scheduling.solver.cli import main

raise SystemExit(main())
