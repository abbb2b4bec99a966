"""The machinery of the access crawler (``test_crawler.py``): who signs in, how each
principal's pages are discovered, how a probe is judged, and how the database is watched.

Nothing here knows the access rules: the crawler learns what each principal may open by
following the links of their own pages, and the test's allowlist says what is shared.
"""

import hashlib
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

# Left out of the crawl: sign-in pages, the language switch, the two admin areas and Wagtail's
# serving of pages and documents (they have their own sign-in rules and tests).
EXCLUDED_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/django-admin/",
    "/cms-admin/",
    "/pages/",
    "/documents/",
    "/static/",
    "/media/",
)
# At most this many URLs of one URL pattern per principal: enough to see a tenant's objects
# of each kind, few enough to keep the crawl small.
PER_PATTERN = 3
# Tables whose rows a request may legitimately write whoever asks: the session store, the
# task queue and the per-request caches.
UNWATCHED_TABLES = {"django_session", "django_cache_table"}
UNWATCHED_PREFIXES = ("django_task",)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([\w.]+)"?', re.I)


@dataclass(frozen=True)
class Target:
    """An object URL: a resolved path whose pattern carries arguments."""

    path: str
    name: str
    kwargs: tuple

    @property
    def args(self) -> dict:
        return dict(self.kwargs)


@dataclass
class Principal:
    key: str  # e.g. "admin@" or "anonymous"
    role: str  # a Role value, "superuser", "none" or "anonymous"
    user: object = None
    client: Client = None
    home: str | None = None
    opened: dict = field(default_factory=dict)  # path -> Target, opened with a 200
    posts: dict = field(default_factory=dict)  # path -> (Target, form data) of its own forms
    requests: int = 0

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    def legitimate(self, path: str) -> bool:
        """Did this principal reach ``path`` from its own pages?"""
        return path in self.opened or path in self.posts


def target_for(path: str) -> Target | None:
    """The path's URL pattern when it is a crawlable object URL of this site."""
    if not path.startswith("/") or path.startswith(EXCLUDED_PREFIXES):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if not match.kwargs and not match.args:
        return Target(path, match.view_name, ())
    return Target(path, match.view_name, tuple(sorted(match.kwargs.items())))


def _same_site_path(base: str, href: str | None) -> str | None:
    if href is None:
        return None
    href = href.strip()
    if href.startswith(("#", "mailto:", "tel:", "javascript:", "data:", "webcal:")):
        return None
    parts = urlsplit(urljoin(f"http://testserver{base}", href))
    if parts.netloc not in ("testserver", "") or parts.scheme not in ("http", "https", ""):
        return None
    return parts.path or "/"


def _form_data(form) -> dict:
    """The form's fields with the values the page filled in (junk for empty ones), plus the
    first submit button's name and value: the request the page's owner would have sent."""
    data: dict[str, list[str]] = {}
    button_taken = False
    for element in form.find_all(["input", "select", "textarea", "button"]):
        name = element.get("name")
        if not name:
            continue
        kind = (element.get("type") or "").lower()
        if element.name == "button" or kind == "submit":
            if not button_taken:
                data.setdefault(name, []).append(element.get("value", ""))
                button_taken = True
            continue
        if kind == "file":
            continue
        if kind in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data.setdefault(name, []).append(element.get("value", "on"))
            continue
        if element.name == "select":
            options = element.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            value = chosen[0].get("value", chosen[0].get_text()) if chosen else ""
        elif element.name == "textarea":
            value = element.get_text() or "x"
        else:
            value = element.get("value") or ("x" if kind not in ("hidden",) else "")
        data.setdefault(name, []).append(value)
    return data


def _links(path: str, html: str):
    """(path, method, form data) of every same-site link and form of a page."""
    soup = BeautifulSoup(html, "html.parser")
    for anchor in soup.find_all("a"):
        target = _same_site_path(path, anchor.get("href"))
        if target:
            yield target, "get", None
    # Addresses a page hands over without a link: a script's data-…-url, a feed address in a
    # read-only field.
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            if isinstance(value, str) and (
                (name.startswith("data-") and name.endswith("url"))
                or (name == "value" and value.startswith("http://testserver/"))
            ):
                target = _same_site_path(path, value)
                if target:
                    yield target, "get", None
    for form in soup.find_all("form"):
        action = form.get("action")
        target = _same_site_path(path, action if action else path)
        if not target:
            continue
        method = (form.get("method") or "get").lower()
        yield target, ("post" if method == "post" else "get"), _form_data(form)


def crawl(principal: Principal, start: str = "/home/") -> None:
    """Breadth-first from the principal's home, following same-site links and GET forms;
    POST forms are recorded (never sent). Keeps at most ``PER_PATTERN`` paths per pattern."""
    client = principal.client
    queue = deque([start])
    seen = {start}
    visited_per_name: Counter = Counter()
    posts_per_name: Counter = Counter()
    while queue:
        path = queue.popleft()
        response = client.get(path)
        principal.requests += 1
        if response.status_code in (301, 302, 303, 307, 308):
            location = _same_site_path(path, response["Location"])
            if path == start and location:
                principal.home = location
            if location and location not in seen and target_for(location):
                seen.add(location)
                queue.append(location)
            continue
        if response.status_code != 200:
            continue
        target = target_for(path)
        if target and target.kwargs:
            principal.opened[path] = target
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for link, method, data in _links(path, response.content.decode()):
            target = target_for(link)
            if target is None:
                continue
            if method == "post":
                new = target.kwargs and link not in principal.posts
                if new and (posts_per_name[target.name] < PER_PATTERN or link in principal.opened):
                    posts_per_name[target.name] += 1
                    principal.posts[link] = (target, data or {})
                continue
            if link in seen or visited_per_name[target.name] >= PER_PATTERN:
                continue
            seen.add(link)
            visited_per_name[target.name] += 1
            queue.append(link)


# --- judging a probe --------------------------------------------------------------------------


def refusal(response, principal: Principal) -> bool:
    """Is the response a refusal: 403, 404, 405, or a redirect to the sign-in page or to the
    principal's own home (never to a page of the object)?"""
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"]).path
        if location == reverse("account_login"):
            return True
        if principal.signed_in and location in {reverse("roles:home"), principal.home}:
            return True
    return False


def _watched(table: str) -> bool:
    return table not in UNWATCHED_TABLES and not table.startswith(UNWATCHED_PREFIXES)


def request_writes(send) -> tuple[object, list[str]]:
    """Send one request; return its response and the watched tables it wrote to."""
    connection.queries_log.clear()  # the log keeps 9,000 queries: start each request afresh
    with CaptureQueriesContext(connection) as captured:
        response = send()
    written = []
    for query in captured.captured_queries:
        match = WRITE.match(query["sql"])
        if match and _watched(match.group(1)):
            written.append(match.group(1))
    return response, sorted(set(written))


def _normal(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def database_checksum() -> dict[str, tuple[int, str]]:
    """Per watched table: its row count and a digest of all its rows (in any order)."""
    checksums = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if not _watched(table):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(tuple(_normal(v) for v in row)) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            checksums[table] = (len(rows), digest)
    return checksums


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
