"""Sort keys that put Chinese text in pinyin order (the order of a Chinese dictionary).

The database compares strings by code point, which scatters Chinese titles (安 U+5B89 comes
before 篮 U+7BEE before 编 U+7F16, whereas a reader expects an–bian–lan). A
``PinyinSortKeyField`` stores each row's key beside its text, computed in Python with
pypinyin whenever the row is saved or bulk-created, so a list can be sorted and paged in
the database in pinyin order.
"""

from __future__ import annotations

from django.db import models
from pypinyin import Style, lazy_pinyin

SORT_KEY_LENGTH = 255


def pinyin_sort_key(text: str) -> str:
    """The text's pinyin syllables with tone numbers (``"篮球"`` → ``"lan2 qiu2"``),
    lower-cased; characters that are not Chinese are kept as they are.

    Tone numbers make 妈 (ma1) sort before 马 (ma3); a digit sorts before any letter, so
    ``an1`` comes before ``ang2``, as in a dictionary.
    """
    syllables = lazy_pinyin(text or "", style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(part.strip() for part in syllables if part.strip()).lower()[:SORT_KEY_LENGTH]


class PinyinSortKeyField(models.CharField):
    """A read-only column holding ``pinyin_sort_key`` of another field (``source``).

    Filled in ``pre_save``, which Django calls on ``save()`` and on ``bulk_create`` alike
    (not on ``QuerySet.update``: change the text through ``save()``).
    """

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", SORT_KEY_LENGTH)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (
            ("max_length", SORT_KEY_LENGTH),
            ("editable", False),
            ("blank", True),
            ("default", ""),
        ):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = pinyin_sort_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
