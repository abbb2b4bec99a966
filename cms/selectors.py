"""Reads behind the CMS pages: who may see the schools' resources, and the listings."""

from django.core.paginator import Paginator

from cms.forms import CatalogueFilterForm, LibraryFilterForm, PoolFilterForm
from cms.models import CoursePage, TeacherProfile, VendorPage
from cms.search import search
from cms.sync import COURSE_LIBRARY_COLLECTION
from people.roles.access import memberships_of
from people.roles.models import Role

# The roles of "the bureau and its schools", who share the course library and teacher pool.
SCHOOL_SIDE_ROLES = frozenset({Role.BUREAU_OFFICER, Role.SCHOOL_ADMIN, Role.TEACHER, Role.COURSE_REVIEWER})


def can_use_school_resources(user) -> bool:
    """May ``user`` open the course library and the teacher pool?

    Bureau officers, school administrators, teachers and course reviewers may, and so may
    the CMS's editors (users who can open the Wagtail admin).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return True
    return any(m.role in SCHOOL_SIDE_ROLES for m in memberships_of(user))


def in_course_library(collection) -> bool:
    """Is ``collection`` the course library's collection of documents, or inside it?"""
    if collection is None:
        return False
    return collection.get_ancestors(inclusive=True).filter(name=COURSE_LIBRARY_COLLECTION).exists()


def paginate(items, request, per_page: int):
    """The page of ``items`` named by ``?page=`` (the last page when it is too big)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def catalogue_vendor_pages(*, catalogue, params):
    """The live vendor pages of ``catalogue`` matching the filters in ``params``.

    Returns ``(pages, form)``; an invalid filter value is reported on the form and ignored.
    """
    form = CatalogueFilterForm(params)
    pages = (
        VendorPage.objects.live()
        .child_of(catalogue)
        .filter(vendor__isnull=False)
        .select_related("vendor__category", "vendor__district")
        .order_by("title")
    )
    if category := form.value("category"):
        pages = pages.filter(vendor__category=category)
    if district := form.value("district"):
        pages = pages.filter(vendor__district=district)
    return search(pages, form.value("q")), form


def vendor_page_courses(*, vendor):
    """A vendor's approved courses, for its catalogue page."""
    return list(
        vendor.courses.filter(review_status="approved")
        .select_related("category", "subject")
        .order_by("title", "pk")
    )


def library_course_pages(*, library, params):
    """The live course pages of ``library`` matching the search and filters in ``params``.

    ``q`` searches titles, objectives, descriptions, subjects, categories, owners, session
    plans and the editors' lesson plans; ``category`` and ``grade`` narrow the list (a
    course fits a grade inside its grade band). Returns ``(pages, form)``.
    """
    form = LibraryFilterForm(params)
    pages = (
        CoursePage.objects.live()
        .child_of(library)
        .filter(course__isnull=False)
        .select_related("course__category", "course__subject", "course__vendor", "course__school")
        .order_by("title")
    )
    if category := form.value("category"):
        pages = pages.filter(course__category=category)
    if grade := form.value("grade"):
        pages = pages.filter(course__grade_min__lte=grade, course__grade_max__gte=grade)
    return search(pages, form.value("q")), form


def pool_profiles(*, params):
    """The listed teacher profiles matching the search and filters in ``params``.

    Returns ``(profiles, form)``.
    """
    form = PoolFilterForm(params)
    profiles = (
        TeacherProfile.objects.filter(listed=True)
        .select_related("staff__school", "instructor__vendor", "photo")
        .prefetch_related("subjects", "schools", "photo__renditions")
        .order_by("name", "pk")
    )
    # The search backend filters only on the model's own fields, so the many-to-many
    # filters go through a subquery on the id.
    if subject := form.value("subject"):
        through = TeacherProfile.subjects.through.objects.filter(subject=subject)
        profiles = profiles.filter(pk__in=through.values("teacherprofile_id"))
    if school := form.value("school"):
        through = TeacherProfile.schools.through.objects.filter(school=school)
        profiles = profiles.filter(pk__in=through.values("teacherprofile_id"))
    kind = form.value("kind")
    if kind == "staff":
        profiles = profiles.filter(staff__isnull=False)
    elif kind == "instructor":
        profiles = profiles.filter(instructor__isnull=False)
    return search(profiles, form.value("q")), form
