"""Outside institutions (non-academic vendors) and their instructors."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from core.i18n import prefers_english
from core.models import AppendOnly, PrivateDocument, TimeStamped
from core.pinyin import PinyinSortKeyField
from core.weekdays import WEEKDAY_CHOICES
from marketplace.vendors.credit_code import validate_credit_code


class VendorStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class RiskGrade(models.TextChoices):
    A = "A", _("A (low risk)")
    B = "B", _("B")
    C = "C", _("C")
    D = "D", _("D (high risk)")


# The grade that takes no new course requests and is left out of new timetables.
HIGH_RISK_GRADE = RiskGrade.D


class InstitutionType(models.TextChoices):
    """The legal form of a training institution: the first factor of its risk grade."""

    PUBLIC = "public", _("Public institution")
    NON_PROFIT = "non_profit", _("Private non-profit organisation")
    COMPANY = "company", _("For-profit company")
    INDIVIDUAL = "individual", _("Individual-run or other")


class Vendor(TimeStamped):
    """A non-academic training institution that may supply after-school courses.

    Only vendors with status *approved* form the approved vendor list (白名单).
    """

    Status = VendorStatus
    RiskGrade = RiskGrade
    InstitutionType = InstitutionType

    name = models.CharField(_("institution name"), max_length=120)
    # The name's pinyin, so lists sort as a Chinese reader expects (see ``core.pinyin``).
    name_sort = PinyinSortKeyField(_("name sort key"), source="name")
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    category = models.ForeignKey(
        "courses.Category",
        on_delete=models.PROTECT,
        related_name="vendors",
        verbose_name=_("category"),
    )
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.PROTECT,
        related_name="vendors",
        verbose_name=_("district"),
    )
    name_en = models.CharField(_("institution name (English)"), max_length=120, blank=True)
    institution_type = models.CharField(
        _("institution type"),
        max_length=20,
        choices=InstitutionType.choices,
        default=InstitutionType.COMPANY,
        help_text=_(
            "Public institution (事业单位), private non-profit (民办非企业单位), company, or "
            "individual-run; one factor of the bureau's risk grade."
        ),
    )
    licence_number = models.CharField(
        _("school-running licence number"),
        max_length=60,
        blank=True,
        help_text=_("The number on the private school-running licence (办学许可证)."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=80, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    description = models.TextField(_("introduction"), blank=True)
    description_en = models.TextField(_("introduction (English)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    risk_grade = models.CharField(_("risk grade"), max_length=1, choices=RiskGrade.choices, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("credit_code"), 18),
                name="vendor_credit_code_18_chars",
            ),
            models.CheckConstraint(condition=Q(status__in=VendorStatus.values), name="vendor_status_valid"),
            models.CheckConstraint(
                condition=Q(risk_grade__in=["", "A", "B", "C", "D"]),
                name="vendor_risk_grade_valid",
            ),
            models.CheckConstraint(
                condition=Q(institution_type__in=["public", "non_profit", "company", "individual"]),
                name="vendor_institution_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        if prefers_english() and self.name_en:
            return self.name_en
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == VendorStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        """The vendor's clerk may change the profile only before review or when asked to."""
        return self.status in (VendorStatus.DRAFT, VendorStatus.CHANGES_REQUESTED)


class VendorDecision(AppendOnly):
    """One step of a vendor's review history (append-only: who, when, what, why).

    Every status change of a vendor writes one row here, in the same transaction as the
    change; rows are never edited or deleted.
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        REINSTATED = "reinstated", _("Reinstated")
        REOPENED = "reopened", _("Decision reopened")
        REAPPLIED = "reapplied", _("Applied again")

    # Actions that must say why.
    NEEDS_REASON = ("rejected", "changes_requested", "suspended", "revoked", "reopened")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("vendor")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from status"), max_length=20, choices=VendorStatus.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=VendorStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="vendor_decisions",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["vendor", "created_at", "pk"]
        verbose_name = _("vendor decision")
        verbose_name_plural = _("vendor decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    action__in=[
                        "submitted",
                        "approved",
                        "rejected",
                        "changes_requested",
                        "suspended",
                        "revoked",
                        "reinstated",
                        "reopened",
                        "reapplied",
                    ]
                ),
                name="vendor_decision_action_valid",
            ),
            models.CheckConstraint(
                condition=~Q(action__in=["rejected", "changes_requested", "suspended", "revoked", "reopened"])
                | ~Q(reason=""),
                name="vendor_decision_reason_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.get_action_display()}"


class VendorPolicy(models.Model):
    """The bureau's settings of vendor review (one row, ``vendor_policy()`` reads it).

    Data, not code: a site administrator or a city officer changes it without a release.
    """

    reapply_after_days = models.PositiveSmallIntegerField(
        _("days before a rejected institution may apply again"),
        default=90,
        help_text=_("Counted from the rejection. 0: at once."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vendor review settings")
        verbose_name_plural = _("vendor review settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="vendor_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Vendor review settings"))


class VendorDocument(PrivateDocument):
    """A PDF or image a vendor files with its application (licence, certificates…)."""

    UPLOAD_FOLDER = "vendor-documents"

    class Kind(models.TextChoices):
        LICENCE = "licence", _("School-running licence")
        BUSINESS_LICENCE = "business_licence", _("Business licence")
        QUALIFICATION = "qualification", _("Instructor qualification")
        SAFETY = "safety", _("Safety and insurance")
        OTHER = "other", _("Other")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="documents", verbose_name=_("vendor")
    )
    instructor = models.ForeignKey(
        "Instructor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("instructor"),
        help_text=_("For a qualification: whose it is."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    accepted = models.BooleanField(
        _("accepted"),
        default=True,
        help_text=_(
            "Part of the reviewed record. A document an approved vendor adds is not, until an "
            "officer approves its amendment."
        ),
    )

    class Meta(PrivateDocument.Meta):
        ordering = ["vendor", "kind", "uploaded_at"]
        verbose_name = _("vendor document")
        verbose_name_plural = _("vendor documents")
        constraints = [
            *PrivateDocument.Meta.constraints,
            models.CheckConstraint(
                condition=Q(kind__in=["licence", "business_licence", "qualification", "safety", "other"]),
                name="vendor_document_kind_valid",
            ),
        ]


class Instructor(models.Model):
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.CASCADE,
        related_name="instructors",
        verbose_name=_("vendor"),
    )
    name = models.CharField(_("name"), max_length=80)
    subjects = models.ManyToManyField(
        "staff.Subject",
        blank=True,
        related_name="instructors",
        verbose_name=_("subjects"),
    )
    qualifications = models.TextField(
        _("qualifications"), blank=True, help_text=_("Certificates, one per line.")
    )
    max_sessions = models.PositiveSmallIntegerField(
        _("weekly session cap"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no cap."),
    )
    vetted = models.BooleanField(
        _("checked by the bureau"),
        default=True,
        help_text=_(
            "Instructors of the reviewed application are. One an approved vendor adds is not, "
            "and cannot be named on courses, until an officer approves its amendment."
        ),
    )

    class Meta:
        ordering = ["vendor", "name"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self) -> str:
        return self.name


class InstructorAvailability(models.Model):
    """A weekly window in which an instructor can teach (any school's slot inside it)."""

    instructor = models.ForeignKey(
        Instructor,
        on_delete=models.CASCADE,
        related_name="availability",
        verbose_name=_("instructor"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["instructor", "weekday", "start"]
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="availability_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class VendorAmendment(models.Model):
    """A change that matters to an approved vendor's record, waiting for an officer.

    An approved vendor adds an instructor, files a document (a renewed licence, insurance)
    or changes its contact details; the vendor stays approved meanwhile. The new instructor
    is not assignable and the new document not part of the record until an officer approves
    (a contact change is applied then); a rejection says why and leaves the record as it was.
    """

    class Kind(models.TextChoices):
        INSTRUCTOR = "instructor", _("New instructor")
        DOCUMENT = "document", _("New document")
        CONTACT = "contact", _("New contact details")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the bureau")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    # The contact fields an amendment may change.
    CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "address")

    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("vendor")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    instructor = models.ForeignKey(
        Instructor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("instructor"),
    )
    document = models.ForeignKey(
        VendorDocument,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("document"),
    )
    changes = models.JSONField(
        _("new values"), default=dict, blank=True, help_text=_("For a contact change: field → new value.")
    )
    previous = models.JSONField(
        _("values before"), default=dict, blank=True, help_text=_("For a contact change: field → old value.")
    )
    reason = models.TextField(_("reason"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["vendor", "created_at", "pk"]
        verbose_name = _("vendor amendment")
        verbose_name_plural = _("vendor amendments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["instructor", "document", "contact"]), name="amendment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]), name="amendment_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="instructor") & Q(instructor__isnull=False) & Q(document__isnull=True))
                | (Q(kind="document") & Q(document__isnull=False) & Q(instructor__isnull=True))
                | (Q(kind="contact") & Q(instructor__isnull=True) & Q(document__isnull=True)),
                name="amendment_names_its_object",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True, decided_by__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="amendment_decided_has_time_and_officer",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""), name="amendment_rejection_says_why"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.get_kind_display()}"
