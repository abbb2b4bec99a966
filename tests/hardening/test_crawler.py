"""A crawler of the whole site, as every demo role, looking for another tenant's objects.

The demo city is restored for the module from the session's snapshot, and ``crawler_seed`` adds what it lacks
(documents, payments, waivers, rest claims, runs, sessions, payouts) for two tenants of each
kind. Every principal (each demo login; a second tenant of each role, taken from the demo's
memberships or made here; a signed-in account without a role; anonymous) crawls
breadth-first from its home page and records the object URLs (URLs whose pattern carries
ids) it can open and the forms it may post. Then every principal requests every object URL
found by the others, with GET and with POST (the owner's form, as the owner's page filled it
in), and expects a refusal: 403, 404, 405, or a redirect to the sign-in page or to its own
home. Nested URLs are also requested with the prober's own tenant in front of another
tenant's object (``/vendors/<mine>/instructors/<theirs>/``). Nothing may be written
meanwhile: each request's SQL is watched for writes, and the whole database is checksummed
before and after the probes. Finally, an object URL two principals of the same role both
reach from their own pages must be one they legitimately share (else a list leaks it).

What is legitimately shared (bureau officers and the vendors of their district, a course's
reviewers, a school's administrators and its teachers' pages…) is listed in ``SHARED``
below, each entry with its reason.

Run with ``-s`` for the summary.
"""

import json
import logging
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from marketplace.courses.models import Course, CourseDocument
from marketplace.households.models import Household
from marketplace.reviews.models import ConflictDeclaration, CourseReview
from marketplace.vendors.models import Vendor
from people.roles.models import Membership, Role
from scheduling.rest.models import RestClaim
from scheduling.staff.models import StaffMember
from scheduling.timetables.models import DatedSession
from schools.models import School
from tests.hardening.crawler import (
    Principal,
    Target,
    changed_tables,
    crawl,
    database_checksum,
    refusal,
    request_writes,
    target_for,
)
from tests.hardening.crawler_seed import seed

pytestmark = pytest.mark.django_db

LOGINS = json.loads((Path(django_settings.BASE_DIR) / "fixtures/demo_city/logins.json").read_text())


@pytest.fixture(autouse=True)
def quiet_404s():
    """The probes make thousands of 404s and 405s: keep Django's request log quiet."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def demo_city(demo_city_for_module):
    """The demo city of the test session (built once, see ``tests/conftest.py``)."""
    return {"seconds": demo_city_for_module.seconds}


# --- the principals ---------------------------------------------------------------------------


def _key(email: str) -> str:
    return email.split("@")[0] + "@"


def _new_user(email: str):
    return get_user_model().objects.create_user(email=email, password=None, name="爬虫测试")


def _second_tenants() -> list[tuple[str, object]]:
    """Another tenant of each role the demo logins hold only once: members of two other
    vendors (the demo has one per vendor; one of them has its application open again), and —
    made here, the demo having none — a second teacher of the same school, a second parent of
    another household at the same school, an officer of another district that has schools and
    a signed-in account without any role."""
    made = []
    vendor_login = Membership.objects.get(user__email="vendor@demo.afterschool.cn", role=Role.VENDOR_MEMBER)
    other = (
        Membership.objects.filter(role=Role.VENDOR_MEMBER, vendor__status=Vendor.Status.APPROVED)
        .exclude(vendor=vendor_login.vendor)
        .select_related("user")
        .order_by("vendor_id")
        .first()
    )
    made.append(("vendor2@", other.user))
    # ...and a vendor whose application is open again (changes requested): its profile and
    # documents are editable, so its edit, submit and delete pages exist.
    editable = (
        Membership.objects.filter(role=Role.VENDOR_MEMBER, vendor__status=Vendor.Status.CHANGES_REQUESTED)
        .select_related("user")
        .order_by("vendor_id")
        .first()
    )
    made.append(("vendor3@", editable.user))

    teacher = Membership.objects.get(user__email="teacher@demo.afterschool.cn", role=Role.TEACHER)
    colleague = (
        StaffMember.objects.filter(school=teacher.school, active=True, membership__isnull=True)
        .exclude(pk=teacher.staff_id)
        .order_by("pk")
        .first()
    )
    user = _new_user("teacher2@crawler.test")
    Membership.objects.create(user=user, role=Role.TEACHER, school=teacher.school, staff=colleague)
    made.append(("teacher2@", user))

    parent = Membership.objects.get(user__email="parent@demo.afterschool.cn", role=Role.PARENT)
    school_id = parent.household.children.values_list("school_class__school_id", flat=True).first()
    neighbours = (
        Household.objects.filter(
            children__school_class__school_id=school_id,
            children__term_plans__isnull=False,
            memberships__isnull=True,
        )
        .exclude(pk=parent.household_id)
        .order_by("pk")
        .distinct()
        .first()
    )
    user = _new_user("parent2@crawler.test")
    Membership.objects.create(user=user, role=Role.PARENT, household=neighbours)
    made.append(("parent2@", user))

    district = Membership.objects.get(user__email="district@demo.afterschool.cn").district
    elsewhere = School.objects.exclude(district=district).order_by("pk").first().district
    user = _new_user("district2@crawler.test")
    Membership.objects.create(user=user, role=Role.BUREAU_OFFICER, district=elsewhere)
    made.append(("district2@", user))

    made.append(("nobody@", _new_user("nobody@crawler.test")))
    return made


def principals() -> list[Principal]:
    User = get_user_model()
    people = [(_key(spec["email"]), User.objects.get(email=spec["email"])) for spec in LOGINS["logins"]]
    people += _second_tenants()
    found = []
    for key, user in people:
        roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        role = "superuser" if user.is_superuser else (roles.pop() if len(roles) == 1 else "none")
        client = Client()
        client.force_login(user)
        found.append(Principal(key=key, role=role, user=user, client=client))
    found.append(Principal(key="anonymous", role="anonymous", client=Client()))
    return found


# --- what is legitimately shared --------------------------------------------------------------


def _memberships(principal, role):
    return list(Membership.objects.filter(user=principal.user, role=role))


def _covers(principal, district_id) -> bool:
    """A bureau officer of the city, or of this district."""
    return any(m.district_id in (None, district_id) for m in _memberships(principal, Role.BUREAU_OFFICER))


def _vendor_covered(principal, kw) -> bool:
    return _covers(principal, Vendor.objects.get(pk=kw["vendor_id"]).district_id)


def _school_covered(principal, kw) -> bool:
    return _covers(principal, School.objects.get(pk=kw["school_id"]).district_id)


def _round_covered(principal, kw) -> bool:
    review = CourseReview.objects.select_related("course__vendor").get(pk=kw["review_id"])
    return _covers(principal, review.course.vendor.district_id)


def _in_catalogue(principal, kw) -> bool:
    return Course.objects.select_related("vendor").get(pk=kw["course_id"]).usable_by_schools


def _committee_covered(principal, kw) -> bool:
    # A district officer sets their district's committee; a city officer every committee.
    return _covers(principal, kw["district_id"])


def _admin_schools(principal) -> set:
    return {m.school_id for m in _memberships(principal, Role.SCHOOL_ADMIN)}


def _staff_of_admin(principal, kw) -> bool:
    return StaffMember.objects.get(pk=kw["staff_id"]).school_id in _admin_schools(principal)


def _claim_of_admin(principal, kw) -> bool:
    return RestClaim.objects.get(pk=kw["claim_id"]).staff.school_id in _admin_schools(principal)


def _session_taker(principal, kw) -> bool:
    session = DatedSession.objects.select_related("activity").get(pk=kw["session_id"])
    if session.school_id in _admin_schools(principal):
        return True
    if any(m.staff_id == session.staff_id for m in _memberships(principal, Role.TEACHER)):
        return True
    vendors = {m.vendor_id for m in _memberships(principal, Role.VENDOR_MEMBER)}
    return session.instructor_id is not None and session.activity.vendor_id in vendors


def _linked(principal, vendor_id) -> bool:
    own = {m.vendor_id for m in _memberships(principal, Role.VENDOR_MEMBER)}
    declared = ConflictDeclaration.objects.filter(reviewer=principal.user, vendor_id=vendor_id).exists()
    return vendor_id in own or declared


def _on_round_committee(principal, review) -> bool:
    committees = {m.district_id for m in _memberships(principal, Role.COURSE_REVIEWER)}
    return review.committee.district_id in committees and not _linked(principal, review.course.vendor_id)


def _round_reviewer(principal, kw) -> bool:
    review = CourseReview.objects.select_related("committee", "course").get(pk=kw["review_id"])
    return _on_round_committee(principal, review)


def _document_reader(principal, kw) -> bool:
    course = CourseDocument.objects.select_related("course__vendor").get(pk=kw["document_id"]).course
    if principal.role == Role.BUREAU_OFFICER:
        return _covers(principal, course.vendor.district_id)
    if principal.role == Role.VENDOR_MEMBER:
        return any(m.vendor_id == course.vendor_id for m in _memberships(principal, Role.VENDOR_MEMBER))
    return any(
        _on_round_committee(principal, review) for review in course.reviews.select_related("committee")
    )


ANY = "*"
# (URL name, viewer role) -> (why it is shared, when). Only these are not probed, and only
# when the condition holds for the object in the URL; every other pair must be refused.
SHARED = {
    # The private calendar feed is a capability URL: the secret token is the key, no sign-in
    # (see portal/views.py); it is shown on the teacher's own page only.
    ("portal:feed", ANY): ("secret-token feed", lambda p, kw: True),
    # Bureau officers oversee the vendors of their district (the city's: all of them): the
    # reviewing side, the vendor's documents, its money and its risk grade.
    **{
        (name, Role.BUREAU_OFFICER): ("officer of the vendor's district", _vendor_covered)
        for name in (
            "vendors:officer_detail",
            "vendors:officer_decide",
            "portal:officer_revoke",
            "vendors:amendment_decide",
            "vendors:document_download",
            "ledger:vendor_payouts",
            "ledger:vendor_payout",
            "risk:detail",
            "risk:regrade",
            "risk:complaint_add",
            "risk:complaint_resolve",
        )
    },
    # ...and the duty reports of the schools of their district.
    ("duty_reports:teachers", Role.BUREAU_OFFICER): ("officer of the school's district", _school_covered),
    ("reviews:committee_district", Role.BUREAU_OFFICER): ("officer of the district", _committee_covered),
    # A course's documents: its vendor's members, the officers of the vendor's district and
    # the reviewers of a committee that reviews or reviewed it (not linked to the vendor).
    **{
        ("reviews:course_document", role): ("reader of the course", _document_reader)
        for role in (Role.BUREAU_OFFICER, Role.VENDOR_MEMBER, Role.COURSE_REVIEWER)
    },
    # Officers see and act on every review round of their district's vendors (the city's: all).
    ("reviews:officer_round", Role.BUREAU_OFFICER): ("officer of the vendor's district", _round_covered),
    # The catalogue's course page is public for a course schools may buy.
    ("catalogue:course_detail", ANY): ("a course of the public catalogue", _in_catalogue),
    # A round is seen by every reviewer of its committee who is not linked to the vendor.
    ("reviews:round", Role.COURSE_REVIEWER): ("reviewer on the round's committee", _round_reviewer),
    ("reviews:conflict_declare", Role.COURSE_REVIEWER): (
        "reviewer on the round's committee",
        _round_reviewer,
    ),
    # A school's administrators look at (never act as) their teachers' pages.
    **{
        (name, Role.SCHOOL_ADMIN): ("administrator of the teacher's school", _staff_of_admin)
        for name in ("portal:teacher_home", "portal:teacher_calendar", "rest:mine")
    },
    ("rest:cancel", Role.SCHOOL_ADMIN): ("administrator of the claimant's school", _claim_of_admin),
    # A session's attendance: its teacher, its vendor's members (instructor sessions) and the
    # school's administrators.
    **{("attendance:take", role): ("taker of the session", _session_taker) for role in Role},
}


def shared(target: Target, principal: Principal) -> str | None:
    """Why ``principal`` may open ``target`` (an allowlist entry), or ``None``."""
    for role in (principal.role, ANY):
        entry = SHARED.get((target.name, role))
        if entry and entry[1](principal, target.args):
            return f"{target.name} / {role}: {entry[0]}"
    return None


# --- the test ---------------------------------------------------------------------------------

# Object URLs whose first id is the tenant and the others objects of that tenant: swapping in
# the prober's own tenant must still be a 404 (the child object is looked up inside the
# tenant). ``purchases:request_create`` is not one: any school may request a catalogue course.
TENANT_ARGS = ("school_id", "vendor_id", "household_id")
NOT_NESTED = {"purchases:request_create"}


def test_no_principal_opens_or_changes_another_tenants_objects(demo_city, settings):
    started = time.perf_counter()
    everyone = principals()
    seeded = seed([p.user for p in everyone if p.signed_in])

    for principal in everyone:
        crawl(principal, "/home/" if principal.signed_in else reverse("catalogue:courses"))
    crawled = time.perf_counter()

    # Every object URL someone reached, with who reached it and the form its page holds.
    found: dict[str, dict] = {}
    for principal in everyone:
        for path, target in principal.opened.items():
            found.setdefault(path, {"target": target, "owners": set(), "data": {}})["owners"].add(
                principal.key
            )
        for path, (target, data) in principal.posts.items():
            entry = found.setdefault(path, {"target": target, "owners": set(), "data": {}})
            entry["owners"].add(principal.key)
            entry["data"] = entry["data"] or data

    failures: list[str] = []
    # What the crawl itself reached: an object URL that principals of the same role opened
    # from their own pages is either shared with each of them or leaked by a list page (and
    # then not probed below, since each of them may "legitimately" reach it).
    for path, entry in sorted(found.items()):
        openers = [p for p in everyone if path in p.opened]
        for principal in openers:
            peers = [p for p in openers if p.role == principal.role and p is not principal]
            if peers and not shared(entry["target"], principal):
                failures.append(
                    f"{principal.key} reached {path} [{entry['target'].name}, found by "
                    f"{', '.join(sorted(entry['owners']))}] from its own pages -> 200"
                )
    allowlisted: Counter = Counter()
    probes = Counter()

    def probe(principal, path, target, owners, data, kind):
        for method in ("get", "post"):
            if method == "get":
                response, written = request_writes(lambda: principal.client.get(path))
            else:
                response, written = request_writes(lambda: principal.client.post(path, data))
            probes[kind] += 1
            if refusal(response, principal) and not written:
                continue
            where = response.get("Location", "")
            failures.append(
                f"{principal.key} {method.upper()} {path} [{target.name}, {kind}, found by "
                f"{', '.join(sorted(owners))}]"
                f" -> {response.status_code} {where}" + (f" wrote {', '.join(written)}" if written else "")
            )

    for principal in everyone:
        # A probe that crashes a view is a finding (a 500), not the end of the crawl.
        principal.client.raise_request_exception = False
    before = database_checksum()
    for path, entry in sorted(found.items()):
        target, owners = entry["target"], entry["owners"]
        for principal in everyone:
            if principal.key in owners or principal.legitimate(path):
                continue
            reason = shared(target, principal)
            if reason:
                allowlisted[reason] += 1
                continue
            probe(principal, path, target, owners, entry["data"], "cross")

    # The same URL with the prober's own tenant in front of another tenant's object.
    for entry in sorted(found.values(), key=lambda entry: entry["target"].path):
        target, owners = entry["target"], entry["owners"]
        args = target.args
        tenant = next((name for name in TENANT_ARGS if name in args), None)
        if tenant is None or len(args) < 2 or target.name in NOT_NESTED:
            continue
        for principal in everyone:
            own = sorted(
                {t.args[tenant] for t in principal.opened.values() if tenant in t.args} - {args[tenant]}
            )
            if not own:
                continue
            spliced = reverse(target.name, kwargs={**args, tenant: own[0]})
            if principal.legitimate(spliced) or shared(target_for(spliced), principal):
                continue
            probe(principal, spliced, target_for(spliced), owners, entry["data"], "spliced")
    after = database_checksum()
    finished = time.perf_counter()

    names = Counter(entry["target"].name for entry in found.values())
    print(f"\nDemo city loaded in {demo_city['seconds']:.1f}s; seeded: {', '.join(seeded)}")
    print(
        f"{len(everyone)} principals (object URLs opened + forms found): "
        + ", ".join(f"{p.key}({len(p.opened)}+{len(p.posts)})" for p in everyone)
    )
    print(
        f"{len(found)} object URLs of {len(names)} patterns, crawled in {crawled - started:.1f}s "
        f"({sum(p.requests for p in everyone)} requests)"
    )
    print(
        f"probes: {dict(probes)} in {finished - crawled:.1f}s (checksums included); "
        f"allowlisted pairs not probed: {sum(allowlisted.values())}"
    )
    for reason, count in sorted(allowlisted.items()):
        print(f"  {count:4d}  {reason}")
    print("patterns:", ", ".join(f"{n}({c})" for n, c in sorted(names.items())))
    changed = changed_tables(before, after)
    # A crawl that reached little proves little (a broken sign-in would make every probe a
    # "refusal"): every signed-in principal with a role opens objects of its own, and the
    # crawl covers most of the site's object pages (81 patterns when this was written).
    assert len(names) >= 60, f"the crawl reached only {len(names)} URL patterns"
    assert sum(probes.values()) >= 5000, f"only {sum(probes.values())} probes"
    lonely = [p.key for p in everyone if p.role not in ("none", "anonymous", "superuser") and not p.opened]
    assert not lonely, f"these principals opened no object of their own: {lonely}"
    by_pattern = Counter(line.split("[", 1)[1].split(",", 1)[0] for line in failures)
    assert not failures, (
        f"{len(failures)} probes were not refused; by pattern: {dict(by_pattern.most_common())}\n"
        + "\n".join(failures[:40])
    )
    assert not changed, f"the probes changed the database: {changed}"
