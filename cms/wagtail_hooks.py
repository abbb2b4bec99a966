"""Snippets in the Wagtail admin: reference data, and the teacher pool's profiles."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import RecordPage, TeacherProfile
from cms.selectors import can_use_school_resources, in_course_library
from cms.sync import teacher_profile_refresh
from marketplace.courses.models import Category
from scheduling.rooms.models import RoomKind
from scheduling.staff.models import Subject

for model in (Subject, Category, RoomKind):
    register_snippet(model)


class TeacherProfileViewSet(SnippetViewSet):
    model = TeacherProfile
    icon = "user"
    menu_label = _("Teacher pool")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "employer", "listed", "updated_at"]
    list_filter = ["listed", "subjects", "schools"]
    list_per_page = 50
    # Searched in the database (icontains), which finds part of a Chinese name too.
    search_backend_name = None
    search_fields = ["name", "qualifications", "bio", "bio_en"]
    copy_view_enabled = False


register_snippet(TeacherProfileViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def refresh_teacher_profile(request, instance):
    """An editor's save fills the fields that follow the person's record (name, subjects,
    schools, listing) at once, instead of at the next sync."""
    if isinstance(instance, TeacherProfile):
        teacher_profile_refresh(instance)


@hooks.register("before_serve_document")
def course_library_documents_for_its_audience(document, request):
    """The course library's documents follow the library's own audience (the bureau and its
    schools, see ``cms.selectors.can_use_school_resources``), not merely any signed-in
    account. Anonymous visitors are left to the collection's sign-in restriction."""
    if not request.user.is_authenticated or can_use_school_resources(request.user):
        return
    if in_course_library(document.collection):
        raise Http404("Only for the bureau and its schools")


@hooks.register("before_publish_page")
def refuse_to_publish_an_unpublishable_record(request, page):
    """A page standing for a record that is not approved (a rejected vendor, a course in
    review) is kept as a draft and not published; the editor is told why. The page's own
    ``clean()`` refuses it too, for paths that skip this hook."""
    page = page.specific
    if not isinstance(page, RecordPage) or page.record_is_publishable():
        return None
    messages.error(
        request,
        gettext("“%(record)s” is not approved: its page was saved as a draft and not published.")
        % {"record": page.record or page.title},
    )
    if page.pk:
        return redirect("wagtailadmin_pages:edit", page.pk)
    return redirect("wagtailadmin_explore", page.get_parent().pk)
