"""Date and time formats per language (``FORMAT_MODULE_PATH``), one of each kind per language.

Templates name these formats (``{{ day|date:"SHORT_DATE_FORMAT" }}``) and never spell one out,
so that a date reads the same on every page of a language. Anything not set here falls back
to Django's own format module for the language (input formats, number separators).
"""
