"""Both interface catalogues are complete, and the compiled catalogues match them."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["zh_Hans", "en"]


def parse_po(path: Path) -> list[dict]:
    """A minimal .po reader: entries with msgid, msgid_plural, msgstr(s) and flags."""
    entries, current, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, field = None, None
            continue
        if current is None:
            current = {"flags": "", "msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                current["msgstr"][field[1]] += value
            else:
                current[field] += value
        else:
            key, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            match = re.fullmatch(r"msgstr\[(\d+)\]", key)
            if match:
                field = ("msgstr", int(match.group(1)))
                current["msgstr"][field[1]] = value
            elif key == "msgstr":
                field = ("msgstr", 0)
                current["msgstr"][0] = value
            else:
                field = key
                current[key] = value
    return [e for e in entries if e["msgid"]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    missing = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not missing, f"{language}: untranslated {missing[:10]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    for entry in parse_po(LOCALE / language / "LC_MESSAGES" / "django.po"):
        wanted = sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", entry["msgid"]))
        for text in entry["msgstr"].values():
            assert sorted(re.findall(r"%\(\w+\)[sd]|\{\w+\}", text)) == wanted, entry["msgid"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in parse_po(folder / "django.po"):
        key, context = entry["msgid"], entry["msgctxt"]
        if entry["msgid_plural"]:
            if context is None:
                assert compiled.ngettext(key, entry["msgid_plural"], 1) == entry["msgstr"][0], key
            else:
                assert compiled.npgettext(context, key, entry["msgid_plural"], 1) == entry["msgstr"][0], key
        elif context is None:
            assert compiled.gettext(key) == entry["msgstr"][0], key
        else:
            # A context (the same English word meaning two things) makes a key of its own.
            assert compiled.pgettext(context, key) == entry["msgstr"][0], (context, key)


def test_money_totals_read_as_totals_and_review_totals_as_scores():
    """“总分” is a score; a sum of money or of duties is “合计”."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("zh-hans"):
        assert gettext("Total") == "合计"
        assert pgettext("review score", "Total") == "总分"
