"""Keep the CMS in step with the database records.

* A **vendor page** exists once its vendor has been approved, and is live exactly while the
  vendor is approved: suspension, revocation (any other status) unpublishes it and keeps it,
  so reinstatement publishes it again with the editors' content intact.
* A **course page** is live while its course may be used by schools: a school-made course
  always (it needs no review), a vendor's course while it is approved and its vendor is too.
* A **teacher profile** exists for every staff member and every vendor instructor; it is
  listed in the pool while the staff member is active or the instructor's vendor approved.

Pages show their record's data when they render; a sync refreshes the title and slug,
publishes a new revision (or unpublishes), and updates the search index at once (the search
backend's own update runs as a background task). The vendor and course services send
``vendor_changed`` / ``course_changed`` and ``cms.receivers`` calls in here, inside the
service's transaction, so a status change and its page change commit together.

Nothing happens before a ``HomePage`` exists (a fresh database, most tests): the index pages
hang under it. ``sync_all()`` builds everything for an existing database.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, Page
from wagtail.search import index as search_index
from wagtail.search.backends import get_search_backends

from cms.models import (
    CourseLibraryPage,
    CoursePage,
    HomePage,
    RecordPage,
    TeacherPoolPage,
    TeacherProfile,
    VendorCataloguePage,
    VendorPage,
)
from core.errors import DomainError
from marketplace.courses.models import Activity, Course
from marketplace.vendors.models import Instructor, Vendor, VendorStatus
from scheduling.staff.models import StaffMember

logger = logging.getLogger(__name__)


class CmsSyncError(DomainError):
    """The CMS cannot be brought in step (for example: there is no home page)."""

    default_code = "cms_sync_failed"

    def __str__(self) -> str:
        # The management command reports ``str(error)``: the message, not a list of it.
        return str(self.message)


# The index pages ``sync_all`` creates: model, slug, Chinese and English title. Editors
# may retitle them afterwards; they are found again by type, not by slug.
INDEX_PAGES = (
    (VendorCataloguePage, "vendors", "机构名录", "Vendor catalogue"),
    (CourseLibraryPage, "courses", "课程资源库", "Course resource library"),
    (TeacherPoolPage, "teachers", "师资库", "Teacher pool"),
)


def _publish(page: Page) -> None:
    """Publish a new revision of ``page`` built from its current (last published) content.

    Built from the page row rather than the latest revision, so an editor's unpublished
    draft is never published by a sync (it stays in the page's revision history).
    """
    if isinstance(page, RecordPage):
        page.follow_record()  # the revision must hold the record's current title
    # Publishing saves the page, which validates it; no need to validate twice.
    page.save_revision(clean=False).publish()
    # Publishing worked on a copy of the page: read back what it changed.
    page.refresh_from_db(fields=["live", "has_unpublished_changes", "live_revision", "last_published_at"])


def _reindex(obj) -> None:
    search_index.insert_or_update_object(obj)


def _reindex_bulk(model, objs) -> None:
    """Index many objects of ``model`` at once (bulk writes and syncs skip the per-object
    signal path, or leave it to a background worker)."""
    if objs:
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(model, objs)


@contextmanager
def _quiet_wagtail():
    """Silence Wagtail's one-line-per-page log (created, edited, published) for bulk syncs."""
    wagtail_logger = logging.getLogger("wagtail")
    level = wagtail_logger.level
    wagtail_logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        wagtail_logger.setLevel(level)


def _index_page(model):
    """The index page of ``model``, created and published under the home page if missing;
    ``None`` while there is no home page."""
    page = model.objects.first()
    if page is not None:
        return page
    home = HomePage.objects.first()
    if home is None:
        return None
    _, slug, title, title_en = next(entry for entry in INDEX_PAGES if entry[0] is model)
    taken = set(home.get_children().values_list("slug", flat=True))
    base, n = slug, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    page = model(title=title, title_en=title_en, slug=slug, live=False)
    home.add_child(instance=page)
    _publish(page)
    return page


def index_pages_ensure() -> dict[str, Page]:
    """The three index pages (vendor catalogue, course library, teacher pool), created
    under the site's home page when missing, and the course library's document collection
    (``course_library_collection_ensure``). Raises ``CmsSyncError`` without a home page."""
    if not HomePage.objects.exists():
        raise CmsSyncError("There is no cms.HomePage to put the index pages under.", code="no_home_page")
    pages = {slug: _index_page(model) for model, slug, _, _ in INDEX_PAGES}
    course_library_collection_ensure()
    return pages


# The Wagtail collection for the course library's documents (lesson materials). Found again
# by this name under the root collection, so editors should not rename it.
COURSE_LIBRARY_COLLECTION = "课程资源库 / Course library"


def course_library_collection_ensure() -> Collection:
    """The Wagtail collection for the course library's documents, created under the root
    collection if missing, restricted to signed-in users.

    Wagtail's document view (``/documents/…``) checks a collection's view restrictions: a
    document in this collection redirects an anonymous visitor to sign in. Idempotent; a
    restriction an editor made stricter (groups) is kept, and one that would let anonymous
    visitors in (none, or only a shared password) gets the sign-in restriction added.
    """
    root = Collection.get_first_root_node()
    if root is None:
        # A flushed database (a transactional test) has lost the root collection that
        # Wagtail's migration creates; put it back, as the demo loader does for the root page.
        root = Collection.add_root(name="Root")
    collection = root.get_children().filter(name=COURSE_LIBRARY_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=COURSE_LIBRARY_COLLECTION)
    signed_in_only = collection.view_restrictions.filter(
        restriction_type__in=[CollectionViewRestriction.LOGIN, CollectionViewRestriction.GROUPS]
    )
    if not signed_in_only.exists():
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    return collection


# --- Vendor catalogue ---------------------------------------------------------------------------


def _record_page_state(
    record, page_model, index_model, *, listed: bool, title: str, slug: str, republish: bool, reindex: bool
):
    """Bring the page of ``record`` (a vendor or a course) in step: created under its index
    page and published while ``listed``, republished when ``republish`` or stale, else
    unpublished and kept (so listing it again republishes it with the editors' content)."""
    field = page_model.RECORD_FIELD
    page = page_model.objects.filter(**{field: record}).first()
    if page is not None:
        setattr(page, field, record)  # the caller's instance: current, its relations maybe loaded
    if listed:
        if page is None:
            index = _index_page(index_model)
            if index is None:
                logger.debug("No home page yet: %s %s gets no page.", field, record.pk)
                return None
            page = page_model(**{field: record}, title=title, slug=slug, live=False)
            index.add_child(instance=page)
            _publish(page)
        elif republish or not page.live or page.title != title:
            _publish(page)
    elif page is not None and page.live:
        page.unpublish()
    if page is not None and reindex:
        _reindex(page)
    return page


def _vendor_page_state(vendor: Vendor, *, republish: bool, reindex: bool = True) -> VendorPage | None:
    return _record_page_state(
        vendor,
        VendorPage,
        VendorCataloguePage,
        listed=vendor.status == VendorStatus.APPROVED,
        title=vendor.name,
        slug=f"vendor-{vendor.pk}",
        republish=republish,
        reindex=reindex,
    )


@transaction.atomic
def vendor_page_sync(vendor: Vendor, *, republish: bool = True) -> VendorPage | None:
    """Bring ``vendor``'s catalogue page, its course pages and its instructors' profiles in
    step with the vendor's record; returns the page (``None`` if it has none).

    An approved vendor's page is created if missing and a revision with the current data
    is published (with ``republish=False`` only when something on the page is stale); any
    other status unpublishes the page and keeps it.
    """
    if not HomePage.objects.exists():
        logger.debug("No home page yet: the CMS does not follow vendor %s.", vendor.pk)
        return None
    page = _vendor_page_state(vendor, republish=republish)
    courses = vendor.courses.filter(
        Q(review_status=Course.ReviewStatus.APPROVED) | Q(library_page__isnull=False)
    )
    for course in courses.select_related("category", "subject").prefetch_related("session_plans"):
        course.vendor = vendor
        _course_page_state(course, republish=False)
    teacher_profiles_sync(vendor=vendor)
    return page


def vendor_page_delete(vendor: Vendor) -> None:
    """Delete ``vendor``'s catalogue page (the vendor's record is being deleted)."""
    with _quiet_wagtail():  # Wagtail's audit log still records the deletion
        for page in VendorPage.objects.filter(vendor=vendor):
            page.delete()


# --- Course library -----------------------------------------------------------------------------


def course_in_library(course: Course) -> bool:
    """May schools find ``course`` in the library? School-made: always; a vendor's: while
    it is approved and its vendor is approved."""
    if course.school_id is not None:
        return True
    return (
        course.review_status == Course.ReviewStatus.APPROVED and course.vendor.status == VendorStatus.APPROVED
    )


def _course_page_state(course: Course, *, republish: bool, reindex: bool = True) -> CoursePage | None:
    return _record_page_state(
        course,
        CoursePage,
        CourseLibraryPage,
        listed=course_in_library(course),
        title=course.title,
        slug=f"course-{course.pk}",
        republish=republish,
        reindex=reindex,
    )


@transaction.atomic
def course_page_sync(course: Course, *, republish: bool = True) -> CoursePage | None:
    """Bring ``course``'s library page in step with the course; returns the page (``None``
    if it has none).

    A course in the library (see ``course_in_library``) gets its page created if missing
    and a revision with the current data published (with ``republish=False`` only when
    stale); otherwise (rejected, back in review, its vendor no longer approved) the page is
    unpublished and kept.
    """
    if not HomePage.objects.exists():
        logger.debug("No home page yet: the CMS does not follow course %s.", course.pk)
        return None
    page = _course_page_state(course, republish=republish)
    if course.vendor_id:
        # The vendor's catalogue page lists, and is found by, its approved courses.
        vendor_page = VendorPage.objects.filter(vendor_id=course.vendor_id).first()
        if vendor_page is not None:
            _reindex(vendor_page)
    return page


def course_page_delete(course: Course) -> None:
    """Delete ``course``'s library page (the course's record is being deleted)."""
    with _quiet_wagtail():  # Wagtail's audit log still records the deletion
        for page in CoursePage.objects.filter(course=course):
            page.delete()


def orphan_pages_delete() -> int:
    """Delete vendor and course pages whose record is gone (deleted while the CMS was not
    listening, e.g. by a raw delete); returns how many."""
    orphans = [
        *VendorPage.objects.filter(vendor__isnull=True),
        *CoursePage.objects.filter(course__isnull=True),
    ]
    for page in orphans:
        page.delete()
    return len(orphans)


# --- Teacher pool -------------------------------------------------------------------------------


@dataclass
class _Wanted:
    """What a profile must hold, as the person's record says."""

    name: str
    listed: bool
    qualifications: str | None  # None: the editors' (staff members)
    subjects: set[int] = field(default_factory=set)
    schools: set[int] = field(default_factory=set)


def _wanted_profiles(staff_members, instructors) -> dict[tuple[str, int], _Wanted]:
    """What the profiles of these staff members and instructors must hold, in a few queries."""
    wanted: dict[tuple[str, int], _Wanted] = {}
    subjects = defaultdict(set)
    rows = StaffMember.subjects.through.objects.filter(staffmember__in=staff_members)
    for staff_id, subject_id in rows.values_list("staffmember_id", "subject_id"):
        subjects[staff_id].add(subject_id)
    for staff_id, name, active, school_id in staff_members.values_list("pk", "name", "active", "school_id"):
        wanted["staff", staff_id] = _Wanted(name, active, None, subjects[staff_id], {school_id})

    subjects = defaultdict(set)
    rows = Instructor.subjects.through.objects.filter(instructor__in=instructors)
    for instructor_id, subject_id in rows.values_list("instructor_id", "subject_id"):
        subjects[instructor_id].add(subject_id)
    vendor_schools = defaultdict(set)
    activities = Activity.objects.filter(vendor__in=instructors.values("vendor_id"))
    for vendor_id, school_id in activities.values_list("vendor_id", "school_id").distinct():
        vendor_schools[vendor_id].add(school_id)
    rows = instructors.values_list("pk", "name", "qualifications", "vendor_id", "vendor__status")
    for instructor_id, name, qualifications, vendor_id, status in rows:
        wanted["instructor", instructor_id] = _Wanted(
            name,
            status == VendorStatus.APPROVED,
            qualifications,
            subjects[instructor_id],
            vendor_schools[vendor_id],
        )
    return wanted


def _profile_key(profile: TeacherProfile) -> tuple[str, int]:
    return ("staff", profile.staff_id) if profile.staff_id else ("instructor", profile.instructor_id)


def _sync_links(
    relation, profile_ids: dict[tuple[str, int], int], wanted, attr: str, column: str
) -> set[int]:
    """Make a many-to-many relation of the profiles hold exactly the wanted ids; returns
    the profiles whose links changed."""
    through = relation.through
    have = set(
        through.objects.filter(teacherprofile_id__in=profile_ids.values()).values_list(
            "teacherprofile_id", column
        )
    )
    want = {(profile_ids[key], target) for key, w in wanted.items() for target in getattr(w, attr)}
    extra, missing = have - want, want - have
    if extra:
        by_profile = defaultdict(set)
        for profile_id, target in extra:
            by_profile[profile_id].add(target)
        doomed = Q()
        for profile_id, targets in by_profile.items():
            doomed |= Q(teacherprofile_id=profile_id, **{f"{column}__in": targets})
        through.objects.filter(doomed).delete()
    through.objects.bulk_create([through(teacherprofile_id=p, **{column: t}) for p, t in missing])
    return {p for p, _ in extra | missing}


def _sync_profiles(staff_members, instructors) -> dict[str, int]:
    """Bring the profiles of these staff members and instructors in step, in bulk."""
    wanted = _wanted_profiles(staff_members, instructors)
    scope = TeacherProfile.objects.filter(Q(staff__in=staff_members) | Q(instructor__in=instructors))
    existing = {_profile_key(profile): profile for profile in scope}

    created = [
        TeacherProfile(
            staff_id=person_id if kind == "staff" else None,
            instructor_id=person_id if kind == "instructor" else None,
            name=w.name,
            listed=w.listed,
            qualifications=w.qualifications or "",
        )
        for (kind, person_id), w in wanted.items()
        if (kind, person_id) not in existing
    ]
    if created:
        TeacherProfile.objects.bulk_create(created)
        # Read them back rather than trust bulk_create to have set every primary key.
        existing = {_profile_key(profile): profile for profile in scope.all()}
    changed = {existing[_profile_key(profile)].pk for profile in created}

    updated = []
    for key, w in wanted.items():
        profile = existing[key]
        new = {"name": w.name, "listed": w.listed}
        if w.qualifications is not None:
            new["qualifications"] = w.qualifications
        if any(getattr(profile, attr) != value for attr, value in new.items()):
            for attr, value in new.items():
                setattr(profile, attr, value)
            updated.append(profile)
    TeacherProfile.objects.bulk_update(updated, ["name", "listed", "qualifications"])
    changed |= {profile.pk for profile in updated}

    profile_ids = {key: existing[key].pk for key in wanted}
    changed |= _sync_links(TeacherProfile.subjects, profile_ids, wanted, "subjects", "subject_id")
    changed |= _sync_links(TeacherProfile.schools, profile_ids, wanted, "schools", "school_id")
    if changed:
        # bulk writes skip the search backend's signals: index the changed profiles here.
        TeacherProfile.objects.filter(pk__in=changed).update(updated_at=timezone.now())
        _reindex_profiles(changed)
    return {"profiles": len(wanted), "created": len(created), "changed": len(changed)}


def _reindex_profiles(profile_ids) -> None:
    profiles = list(
        TeacherProfile.objects.filter(pk__in=profile_ids)
        .select_related("staff__school", "instructor__vendor")
        .prefetch_related("subjects", "schools")
    )
    _reindex_bulk(TeacherProfile, profiles)


@transaction.atomic
def teacher_profiles_sync(*, vendor: Vendor | None = None) -> dict[str, int]:
    """Create or update the teacher profile of every staff member and instructor (only the
    instructors of ``vendor`` when given), in bulk; returns counts (profiles, created,
    changed).

    Idempotent: a second run changes nothing. Editors' fields (photo, biography, a staff
    member's qualifications) are left alone.
    """
    if vendor is None:
        return _sync_profiles(StaffMember.objects.all(), Instructor.objects.all())
    return _sync_profiles(StaffMember.objects.none(), Instructor.objects.filter(vendor=vendor))


@transaction.atomic
def teacher_profile_refresh(profile: TeacherProfile) -> None:
    """Refill one profile's record-kept fields (after an editor created or edited it)."""
    _sync_profiles(
        StaffMember.objects.filter(pk=profile.staff_id or 0),
        Instructor.objects.filter(pk=profile.instructor_id or 0),
    )


# --- Everything ---------------------------------------------------------------------------------


@transaction.atomic
def sync_all() -> dict[str, int | float]:
    """Create the index pages under the home page if missing, then bring every vendor page,
    course page and teacher profile in step, and index them for search. Idempotent: a
    second run publishes nothing new. Returns counts and the seconds it took.

    Raises ``CmsSyncError`` when there is no ``HomePage``.
    """
    started = time.perf_counter()
    with _quiet_wagtail():
        index_pages_ensure()
        orphan_pages_delete()
        vendors = Vendor.objects.filter(Q(status=VendorStatus.APPROVED) | Q(catalogue_page__isnull=False))
        vendor_pages = [
            page
            for vendor in vendors.select_related("category", "district")
            if (page := _vendor_page_state(vendor, republish=False, reindex=False)) is not None
        ]
        courses = (
            Course.objects.filter(
                Q(school__isnull=False)
                | Q(review_status=Course.ReviewStatus.APPROVED, vendor__status=VendorStatus.APPROVED)
                | Q(library_page__isnull=False)
            )
            .select_related("vendor", "school", "category", "subject")
            .prefetch_related("session_plans")
        )
        course_pages = [
            page
            for course in courses
            if (page := _course_page_state(course, republish=False, reindex=False)) is not None
        ]
        _reindex_bulk(VendorPage, vendor_pages)
        _reindex_bulk(CoursePage, course_pages)
        profiles = teacher_profiles_sync()
    return {
        "vendor_pages": len(vendor_pages),
        "live_vendor_pages": sum(page.live for page in vendor_pages),
        "course_pages": len(course_pages),
        "live_course_pages": sum(page.live for page in course_pages),
        "teacher_profiles": profiles["profiles"],
        "seconds": round(time.perf_counter() - started, 2),
    }
