"""Fuzz every GET parameter of every page a role can open: bad input is never a 500.

For each role (signed in as ``tests.factories`` builds it, then a visitor), every URL
pattern of the site's own apps whose arguments are that role's own ids (its school, staff
record, vendor, household, child, district, timetable run) is opened once plainly; the
parameter names are then read off the page itself (the fields of its GET forms, the query
strings of its links) and added to the ones every list page may take (``KNOWN_PARAMS``).
The page is then requested with each nasty value in all its parameters at once. The first
role to open a URL also tries each parameter repeated (a harmless value, then the nasty
one) and the sharpest values in each parameter alone, so that one parameter's refusal (a 404 for a bad term)
cannot hide another's crash. The CMS listing pages (vendor catalogue, course library,
teacher pool) are fuzzed the same way.

A 200, 302, 400, 403, 404 or 405 is fine; a 500 is a failure, reported with the role, the
URL and the query. The admin sites (Django's, Wagtail's) and allauth's pages are not ours
and are left out. Under two minutes on SQLite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from cms.sync import index_pages_ensure
from tests import factories as f
from tests.ledger import build_world

pytestmark = pytest.mark.django_db

# URL namespaces and prefixes that are not this project's pages.
SKIPPED_NAMESPACES = {
    "admin",
    "wagtailadmin",
    "wagtaildocs",
    "wagtail_serve",
    "account",
    "socialaccount",
    "mfa",
}
SKIPPED_PREFIXES = (
    "/django-admin/",
    "/cms-admin/",
    "/documents/",
    "/pages/",
    "/accounts/",
    "/i18n/",
    "/media/",
)

KNOWN_PARAMS = {"page", "sort", "week", "date", "term", "district", "q", "format", "category", "grade"}

NASTY = [
    str(2**63),
    str(-(2**63) - 1),
    str(2**63 - 1),
    str(10**30),
    "9" * 5000,
    "-1",
    "0",
    "1.5",
    "1e308",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "2026-13-45",
    "\x00",
    "x" * 5000,
    "²",
    "١٢",
    "課後服務 🎒\u202e",
    "%",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "csv",
    "xlsx",
    "",
]
# Tried in each parameter alone too, so that one parameter's refusal cannot hide another's.
SHARPEST = [str(2**63), "9999-12-31"]
# What a role gets on a URL another role has already fuzzed thoroughly.
LIGHT = [
    str(2**63),
    str(-(2**63) - 1),
    "9" * 5000,
    "-1",
    "9999-12-31",
    "0001-01-01",
    "2026-13-45",
    "\x00",
    "²",
    "csv",
]

FINE = {200, 302, 400, 403, 404, 405}


@dataclass
class Actor:
    name: str
    user: object | None
    ids: dict[str, int] = field(default_factory=dict)


class _ParamNames(HTMLParser):
    """The names of the fields of a page's GET forms and of its links' query parameters."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea", "button") and self._in_get_form and attrs.get("name"):
            self.names.add(attrs["name"])
        elif tag == "a" and attrs.get("href") and "?" in attrs["href"]:
            self.names.update(
                name for name, _ in parse_qsl(urlsplit(attrs["href"]).query, keep_blank_values=True)
            )

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def param_names(html: str) -> set[str]:
    parser = _ParamNames()
    parser.feed(html)
    return {name for name in parser.names if name != "csrfmiddlewaretoken"}


_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    """(``namespace:name``, argument names) of every named URL pattern under ``resolver``."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _patterns(entry, route, ":".join(filter(None, [namespace, entry.namespace])) or None)
        elif isinstance(entry, URLPattern) and entry.name:
            arguments = {a or b for a, b in _ARGUMENT.findall(route)}
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), arguments


def pages_of(actor: Actor) -> list[str]:
    """The URLs of the site's own pages whose arguments are all ids of ``actor``."""
    urls = set()
    for name, arguments in _patterns(get_resolver()):
        if not arguments <= actor.ids.keys():
            continue
        try:
            url = reverse(name, kwargs={a: actor.ids[a] for a in arguments})
        except NoReverseMatch:
            continue
        if not url.startswith(SKIPPED_PREFIXES):
            urls.add(url)
    return sorted(urls)


@pytest.fixture
def world(home):
    """The ledger's world (school, term, published run, staff, vendor, two families) with a
    member of each role, and the CMS listing pages."""
    w = build_world()
    child = w.children[0]
    district = w.school.district
    city_officer = f.BureauOfficerFactory()
    district_officer = f.BureauOfficerFactory(district=district)
    f.VendorFactory(district=district)  # someone in the officers' lists
    school_ids = {"school_id": w.school.pk, "district_id": district.pk, "run_id": w.supervision[0].run_id}
    actors = [
        Actor("school admin", f.SchoolAdminFactory(school=w.school).user, school_ids),
        Actor(
            "teacher",
            f.TeacherFactory(school=w.school, staff=w.staff).user,
            {"staff_id": w.staff.pk, "school_id": w.school.pk},
        ),
        Actor("vendor member", f.VendorMemberFactory(vendor=w.vendor).user, {"vendor_id": w.vendor.pk}),
        Actor(
            "parent",
            f.ParentFactory(household=child.household).user,
            {"household_id": child.household_id, "child_id": child.pk},
        ),
        Actor("city officer", city_officer.user, {**school_ids, "vendor_id": w.vendor.pk}),
        Actor("district officer", district_officer.user, {**school_ids, "vendor_id": w.vendor.pk}),
        Actor("reviewer", f.CourseReviewerFactory(district=district).user, {"district_id": district.pk}),
        Actor("visitor", None),
    ]
    cms_pages = [page.url for page in index_pages_ensure().values()]
    return actors, cms_pages


def _queries(names: list[str], *, thorough: bool):
    """Each nasty value in all parameters at once (a few when not ``thorough``); when
    ``thorough``, also a few nasty values after a harmless one in every parameter, and the
    sharpest values in each parameter alone."""
    for value in NASTY if thorough else LIGHT:
        yield [(name, value) for name in names]
    if not thorough:
        return
    for value in LIGHT:
        yield [(name, v) for name in names for v in ("1", value)]
    for name in names:
        for value in SHARPEST:
            yield [(name, value)]


def _shown(query) -> str:
    return urlencode([(k, v if len(v) < 40 else v[:20] + "…") for k, v in query])[:300]


def test_no_get_parameter_of_any_page_is_a_500(client, world):
    """Each URL is fuzzed thoroughly by the first role that opens it (the actors' order puts
    the richest view of a shared page first) and with every nasty value by the others."""
    actors, cms_pages = world
    client.raise_request_exception = False  # a view's exception becomes the 500 a user sees
    login = reverse("account_login")
    failures: list[str] = []
    fuzzed: set[str] = set()
    for actor in actors:
        client.logout()
        if actor.user is not None:
            client.force_login(actor.user)
        for url in [*pages_of(actor), *cms_pages]:
            plain = client.get(url)
            if plain.status_code == 500:
                failures.append(f"{actor.name}: {url} (no query) -> 500")
                continue
            if plain.status_code in (404, 405) or plain.get("Location", "").startswith(login):
                continue  # not this role's page, not one to GET, or a visitor sent to sign in
            names = set(KNOWN_PARAMS)
            if "html" in plain.get("Content-Type", ""):
                names |= param_names(plain.content.decode(errors="replace"))
            for query in _queries(sorted(names), thorough=url not in fuzzed):
                status = client.get(url + "?" + urlencode(query)).status_code
                if status not in FINE:
                    failures.append(f"{actor.name}: {url}?{_shown(query)} -> {status}")
            fuzzed.add(url)
    assert len(fuzzed) > 40, f"only {len(fuzzed)} pages opened: are the roles signed in?"
    assert not failures, "\n".join(failures[:50])


def test_the_fuzz_reaches_each_roles_list_pages(world):
    """The enumeration itself: each role's own list pages are among those fuzzed."""
    actors, _ = world
    by_name = {actor.name: set(pages_of(actor)) for actor in actors}
    admin = next(a for a in actors if a.name == "school admin")
    teacher = next(a for a in actors if a.name == "teacher")
    officer = next(a for a in actors if a.name == "city officer")
    assert reverse("catalogue:courses") in by_name["visitor"]
    assert reverse("portal:teacher_home", args=[teacher.ids["staff_id"]]) in by_name["teacher"]
    assert reverse("duty_reports:teachers", args=[admin.ids["school_id"]]) in by_name["school admin"]
    assert reverse("vendors:officer_queue") in by_name["city officer"]
    assert reverse("ledger:vendor_payouts", args=[officer.ids["vendor_id"]]) in by_name["city officer"]
