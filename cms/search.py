"""Full-text search over Chinese and English text with Wagtail's database backend.

The database backend (SQLite FTS5, PostgreSQL ``tsvector``) splits text into words at spaces
and punctuation. Chinese is written without spaces, so a whole clause would be one "word"
and searching 机器人 would not find 学习机器人编程. We therefore index Chinese text one
character per token (``segment``) and turn each Chinese search term into a phrase of those
characters (``search_query``): the phrase matches the characters in order and adjacent, which
is a substring match for Chinese, while Latin words keep their ordinary word matching.
"""

import re

from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Phrase, PlainText

# CJK Unified Ideographs (with extension A) and the compatibility ideographs.
_HAN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
# Anything that is neither a word character nor whitespace separates words.
_PUNCTUATION = re.compile(r"[^\w\s]+")


def segment(*texts: str) -> str:
    """The texts joined, with a space around every Chinese character (for the index)."""
    joined = " ".join(text for text in texts if text)
    return " ".join(_HAN.sub(r" \1 ", _PUNCTUATION.sub(" ", joined)).split())


def search_query(text: str):
    """A Wagtail query for what a user typed: every term must match, or ``None`` if blank.

    A term with Chinese characters becomes a phrase of its characters; other terms stay
    plain words (the backend matches the last one as a prefix on SQLite).
    """
    parts = []
    for term in _PUNCTUATION.sub(" ", text or "").split():
        if _HAN.search(term):
            parts.append(Phrase(segment(term)))
        else:
            parts.append(PlainText(term))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def search(queryset, text: str):
    """``queryset`` narrowed to what matches ``text``, best first; unchanged if ``text`` is blank.

    ``queryset`` may be filtered only on fields its model declares as ``FilterField``.
    """
    query = search_query(text)
    if query is None:
        return queryset
    return get_search_backend().search(query, queryset)
