"""Wagtail page types and snippets: the public home page, the vendor catalogue, the course
resource library and the teacher pool.

Pages that stand for a database record (``VendorPage``, ``CoursePage``) and the
``TeacherProfile`` snippet show the record's own data, read when the page renders, so they
cannot drift from it; ``cms.sync`` creates them, keeps their titles in step and publishes or
unpublishes them as the record's status changes. Editors add what the record does not hold:
text, images, lesson plans and materials, in Chinese (``body``) and English (``body_en``).
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import course_body_blocks, vendor_body_blocks
from cms.page_forms import RecordPageForm
from cms.search import segment
from core.i18n import prefers_english
from marketplace.courses.models import Course
from marketplace.vendors.models import Vendor, VendorStatus


class HomePage(Page):
    """The public landing page of the platform."""

    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("intro_en")]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class BilingualBody(models.Model):
    """Editor content in Chinese (``body``) and English (``body_en``, optional)."""

    class Meta:
        abstract = True

    def body_text(self) -> list[str]:
        """The searchable text of the editor content in both languages."""
        texts = []
        for stream in (self.body, self.body_en):
            texts += stream.stream_block.get_searchable_content(stream)
        return texts

    @property
    def display_body(self):
        """The English content when English is active and there is some, else the Chinese."""
        if prefers_english() and self.body_en:
            return self.body_en
        return self.body


class IndexPage(Page):
    """A listing page under the home page, titled and introduced in both languages."""

    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("intro_en"),
    ]
    parent_page_types = ["cms.HomePage"]
    max_count = 1
    page_size = 20

    class Meta:
        abstract = True

    @property
    def display_title(self) -> str:
        return self.title_en if prefers_english() and self.title_en else self.title

    @property
    def display_intro(self) -> str:
        return self.intro_en if prefers_english() and self.intro_en else self.intro


class SchoolsOnly:
    """Serve the page only to the bureau and its schools (and to CMS editors).

    The course library and the teacher pool are shared by the education bureau and its
    schools; a visitor who is not signed in is sent to sign in, anyone else gets a 404.
    """

    def serve(self, request, *args, **kwargs):
        # Imported here: cms.selectors imports this module's pages (circular).
        from cms.selectors import can_use_school_resources

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not can_use_school_resources(request.user):
            raise Http404("Only for the bureau and its schools")
        return super().serve(request, *args, **kwargs)


class RecordPage(Page):
    """A page standing for one database record: its title and slug follow the record.

    ``RECORD_FIELD`` names the one-to-one field that points at the record.
    """

    RECORD_FIELD = ""

    # The page form offers only publishable records (see ``cms.page_forms``).
    base_form_class = RecordPageForm

    class Meta:
        abstract = True

    def follow_record(self) -> None:  # pragma: no cover - each subclass says how
        raise NotImplementedError

    @classmethod
    def publishable_records(cls):  # pragma: no cover - each subclass says which
        """The records a live page of this type may stand for, as a queryset."""
        raise NotImplementedError

    @property
    def record(self):
        return getattr(self, self.RECORD_FIELD)

    def record_is_publishable(self) -> bool:
        """Whether the page's record may be shown (a page without a record may not)."""
        record_id = getattr(self, f"{self.RECORD_FIELD}_id")
        return record_id is not None and self.publishable_records().filter(pk=record_id).exists()

    def clean(self):
        super().clean()
        # Publishing saves the page live, which validates it: a page can go live only while
        # its record is publishable, whichever path publishes it (admin, code, scheduler).
        if (
            self.live
            and getattr(self, f"{self.RECORD_FIELD}_id") is not None
            and not self.record_is_publishable()
        ):
            raise ValidationError(
                {
                    self.RECORD_FIELD: ValidationError(
                        _("“%(record)s” is not approved: its page cannot be published."),
                        code="record_not_publishable",
                        params={"record": str(self.record)},
                    )
                }
            )

    def full_clean(self, *args, **kwargs):
        self.follow_record()
        super().full_clean(*args, **kwargs)

    def minimal_clean(self):
        self.follow_record()
        super().minimal_clean()


# --- Vendor catalogue ---------------------------------------------------------------------------


class VendorCataloguePage(IndexPage):
    """The catalogue of approved vendors (one page, under the home page)."""

    subpage_types = ["cms.VendorPage"]

    class Meta:
        verbose_name = _("vendor catalogue")

    def get_context(self, request, *args, **kwargs):
        # Imported here: cms.selectors imports this module's pages (circular).
        from cms.selectors import catalogue_vendor_pages, paginate

        context = super().get_context(request, *args, **kwargs)
        pages, filters = catalogue_vendor_pages(catalogue=self, params=request.GET)
        context["filters"] = filters
        context["vendor_pages"] = paginate(pages, request, self.page_size)
        return context


class VendorPage(BilingualBody, RecordPage):
    """The catalogue page of one vendor; live while the vendor is approved."""

    RECORD_FIELD = "vendor"

    vendor = models.OneToOneField(
        "vendors.Vendor",
        on_delete=models.SET_NULL,
        null=True,
        related_name="catalogue_page",
        verbose_name=_("vendor"),
    )
    body = StreamField(vendor_body_blocks(), blank=True, verbose_name=_("extra content"))
    body_en = StreamField(vendor_body_blocks(), blank=True, verbose_name=_("extra content (English)"))

    content_panels = [FieldPanel("vendor"), FieldPanel("body"), FieldPanel("body_en")]
    promote_panels = [MultiFieldPanel([FieldPanel("seo_title"), FieldPanel("search_description")])]
    parent_page_types = ["cms.VendorCataloguePage"]
    subpage_types = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
        index.FilterField("vendor"),
        index.RelatedFields("vendor", [index.FilterField("category"), index.FilterField("district")]),
    ]

    class Meta:
        verbose_name = _("vendor page")

    def follow_record(self) -> None:
        if self.vendor_id:
            self.title = self.vendor.name
            self.slug = f"vendor-{self.vendor_id}"

    @classmethod
    def publishable_records(cls):
        """Vendors on the approved list (白名单)."""
        return Vendor.objects.filter(status=VendorStatus.APPROVED)

    def search_text(self) -> str:
        vendor = self.vendor
        if vendor is None:
            return ""
        courses = vendor.courses.filter(review_status="approved").values_list("title", "title_en")
        return segment(
            *self.body_text(),
            *(title for pair in courses for title in pair),
            vendor.name,
            vendor.name_en,
            vendor.description,
            vendor.description_en,
            vendor.category.name,
            vendor.category.name_en,
            vendor.district.name,
            vendor.district.name_en,
        )

    def serve(self, request, *args, **kwargs):
        if self.vendor_id is None:
            raise Http404("The vendor is gone")
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        # Imported here: cms.selectors imports this module's pages (circular).
        from cms.selectors import vendor_page_courses

        context = super().get_context(request, *args, **kwargs)
        context["vendor"] = self.vendor
        context["courses"] = vendor_page_courses(vendor=self.vendor) if self.vendor_id else []
        return context


# --- Course resource library --------------------------------------------------------------------


class CourseLibraryPage(SchoolsOnly, IndexPage):
    """The course resource library shared by the bureau and its schools."""

    subpage_types = ["cms.CoursePage"]

    class Meta:
        verbose_name = _("course resource library")

    def get_context(self, request, *args, **kwargs):
        # Imported here: cms.selectors imports this module's pages (circular).
        from cms.selectors import library_course_pages, paginate

        context = super().get_context(request, *args, **kwargs)
        pages, filters = library_course_pages(library=self, params=request.GET)
        context["filters"] = filters
        context["course_pages"] = paginate(pages, request, self.page_size)
        return context


class CoursePage(SchoolsOnly, BilingualBody, RecordPage):
    """One course in the library: an approved vendor course or a school-made course."""

    RECORD_FIELD = "course"

    course = models.OneToOneField(
        "courses.Course",
        on_delete=models.SET_NULL,
        null=True,
        related_name="library_page",
        verbose_name=_("course"),
    )
    body = StreamField(
        course_body_blocks(),
        blank=True,
        verbose_name=_("lesson plans and materials"),
    )
    body_en = StreamField(
        course_body_blocks(),
        blank=True,
        verbose_name=_("lesson plans and materials (English)"),
    )

    content_panels = [FieldPanel("course"), FieldPanel("body"), FieldPanel("body_en")]
    promote_panels = [MultiFieldPanel([FieldPanel("seo_title"), FieldPanel("search_description")])]
    parent_page_types = ["cms.CourseLibraryPage"]
    subpage_types = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
        index.FilterField("course"),
        index.RelatedFields(
            "course",
            [
                index.FilterField("category"),
                index.FilterField("subject"),
                index.FilterField("grade_min"),
                index.FilterField("grade_max"),
                index.FilterField("school"),
                index.FilterField("vendor"),
            ],
        ),
    ]

    class Meta:
        verbose_name = _("course page")

    def follow_record(self) -> None:
        if self.course_id:
            self.title = self.course.title
            self.slug = f"course-{self.course_id}"

    @classmethod
    def publishable_records(cls):
        """Courses in the library: school-made ones, and approved courses of approved vendors
        (the rule of ``cms.sync.course_in_library``)."""
        return Course.objects.filter(
            Q(school__isnull=False)
            | Q(vendor__isnull=False, review_status=Course.ReviewStatus.APPROVED, vendor__status="approved")
        )

    def search_text(self) -> str:
        """Title, objectives, description, subject, category, owner, session plans and the
        editors' lesson plans (both languages)."""
        course = self.course
        if course is None:
            return ""
        owner = course.owner
        plans = [text for plan in course.session_plans.all() for text in (plan.title, plan.content)]
        return segment(
            *self.body_text(),
            course.title,
            course.title_en,
            course.objectives,
            course.description,
            course.subject.name,
            course.subject.name_en,
            course.category.name,
            course.category.name_en,
            owner.name if owner else "",
            owner.name_en if owner else "",
            *plans,
        )

    def serve(self, request, *args, **kwargs):
        if self.course_id is None:
            raise Http404("The course is gone")
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = self.course
        context["course"] = course
        context["session_plans"] = list(course.session_plans.all()) if course else []
        return context


# --- Teacher pool -------------------------------------------------------------------------------


class SavedOnlyPanel(FieldPanel):
    """A read-only field shown once the object is saved (many-to-many values need an id)."""

    def __init__(self, field_name, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(field_name, **kwargs)

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            return self.instance is not None and self.instance.pk is not None and super().is_shown()


class TeacherProfile(index.Indexed, models.Model):
    """A teacher in the shared pool: a school's staff member or a vendor's instructor.

    ``name``, ``subjects``, ``schools`` and ``listed`` (and, for an instructor, the
    qualifications) follow the person's record (``cms.sync``); editors add the photo, the
    biography and a staff member's qualifications.
    """

    staff = models.OneToOneField(
        "staff.StaffMember",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="teacher_profile",
        verbose_name=_("staff member"),
    )
    instructor = models.OneToOneField(
        "vendors.Instructor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="teacher_profile",
        verbose_name=_("vendor instructor"),
    )
    name = models.CharField(_("name"), max_length=80, blank=True)
    subjects = models.ManyToManyField(
        "staff.Subject", blank=True, related_name="teacher_profiles", verbose_name=_("subjects")
    )
    qualifications = models.TextField(
        _("qualifications"),
        blank=True,
        help_text=_("One per line. A vendor instructor's are copied from the vendor's record."),
    )
    schools = models.ManyToManyField(
        "schools.School",
        blank=True,
        related_name="teacher_profiles",
        verbose_name=_("schools"),
        help_text=_("A staff member's school; the schools where an instructor's vendor runs activities."),
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
    )
    bio = models.TextField(_("biography"), blank=True)
    bio_en = models.TextField(_("biography (English)"), blank=True)
    listed = models.BooleanField(
        _("listed in the pool"),
        default=True,
        help_text=_("Active staff, and instructors of approved vendors, are listed."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("staff"), FieldPanel("instructor")],
            heading=_("Whose profile (exactly one)"),
        ),
        FieldPanel("name", read_only=True),
        SavedOnlyPanel("subjects"),
        SavedOnlyPanel("schools"),
        FieldPanel("listed", read_only=True),
        FieldPanel("qualifications"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("bio_en"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("search_text"),
        index.FilterField("id"),
        index.FilterField("name"),
        index.FilterField("listed"),
        index.FilterField("staff"),
        index.FilterField("instructor"),
    ]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("teacher profile")
        verbose_name_plural = _("teacher profiles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(staff__isnull=False) & Q(instructor__isnull=True))
                | (Q(staff__isnull=True) & Q(instructor__isnull=False)),
                name="teacher_profile_staff_xor_instructor",
                violation_error_message=_(
                    "A profile belongs to exactly one person: a staff member or a vendor instructor."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.person or "")

    @property
    def person(self):
        return self.staff or self.instructor

    @property
    def is_staff(self) -> bool:
        return self.staff_id is not None

    @cached_property
    def employer(self):
        """The staff member's school or the instructor's vendor."""
        if self.staff_id:
            return self.staff.school
        if self.instructor_id:
            return self.instructor.vendor
        return None

    @property
    def display_bio(self) -> str:
        return self.bio_en if prefers_english() and self.bio_en else self.bio

    def clean(self):
        super().clean()
        if self.person is not None:
            self.name = self.person.name

    def search_text(self) -> str:
        subjects = [name for s in self.subjects.all() for name in (s.name, s.name_en)]
        schools = [name for s in self.schools.all() for name in (s.name, s.name_en)]
        employer = self.employer
        return segment(
            self.name,
            self.qualifications,
            self.bio,
            self.bio_en,
            *subjects,
            *schools,
            employer.name if employer else "",
            employer.name_en if employer else "",
        )


class TeacherPoolPage(SchoolsOnly, IndexPage):
    """The teacher pool: profiles of staff and vendor instructors, searchable and filtered."""

    subpage_types = []

    class Meta:
        verbose_name = _("teacher pool")

    def get_context(self, request, *args, **kwargs):
        # Imported here: cms.selectors imports this module's pages (circular).
        from cms.selectors import paginate, pool_profiles

        context = super().get_context(request, *args, **kwargs)
        profiles, filters = pool_profiles(params=request.GET)
        context["filters"] = filters
        context["profiles"] = paginate(profiles, request, self.page_size)
        return context
