"""The interface language as the domain reads it (the site is Chinese first, English second)."""

from django.utils.translation import get_language


def prefers_english() -> bool:
    """Is the active language English (``en``, ``en-gb``…)? Chinese is the default, so
    anything else, or no active language, is not."""
    return (get_language() or "").startswith("en")
