"""Strings of the frameworks that their own Chinese catalogues do not translate yet.

Listed here so that ``makemessages`` puts them into this project's catalogues, which take
precedence over the frameworks' own (``LOCALE_PATHS``). Nothing imports this module.
"""

from django.utils.translation import gettext_noop

FRAMEWORK_STRINGS = (
    # Django 6.1's label for the empty choice of a model field's select box.
    gettext_noop("- Select an option -"),
)
