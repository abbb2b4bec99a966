"""Roles as memberships: what a person may do, and where.

One row per role a person holds in one place. A person may hold several (a teacher who is
also a parent). Each role names exactly the scope it needs, and the database refuses any
other combination:

==================  =====================================================
role                scope
==================  =====================================================
bureau_officer      ``district`` (empty: the city bureau)
school_admin        ``school``
teacher             ``school`` and ``staff`` (their staff record there)
vendor_member       ``vendor``
course_reviewer     ``district`` (empty: the city's arbitration committee)
parent              ``household``
==================  =====================================================
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_OFFICER = "bureau_officer", _("Bureau officer")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    TEACHER = "teacher", _("Teacher")
    VENDOR_MEMBER = "vendor_member", _("Vendor member")
    COURSE_REVIEWER = "course_reviewer", _("Course reviewer")
    PARENT = "parent", _("Parent")


SCOPE_FIELDS = ("district", "school", "staff", "vendor", "household")

# Which scope fields each role must fill; all others must stay empty. ``district`` may be
# empty for the city-level roles, so it is "allowed", not "required".
REQUIRED_SCOPE = {
    Role.BUREAU_OFFICER: set(),
    Role.SCHOOL_ADMIN: {"school"},
    Role.TEACHER: {"school", "staff"},
    Role.VENDOR_MEMBER: {"vendor"},
    Role.COURSE_REVIEWER: set(),
    Role.PARENT: {"household"},
}
ALLOWED_SCOPE = {
    Role.BUREAU_OFFICER: {"district"},
    Role.SCHOOL_ADMIN: {"school"},
    Role.TEACHER: {"school", "staff"},
    Role.VENDOR_MEMBER: {"vendor"},
    Role.COURSE_REVIEWER: {"district"},
    Role.PARENT: {"household"},
}


def _scope_condition(role: Role) -> Q:
    condition = Q(role=role.value)
    for field in SCOPE_FIELDS:
        if field in REQUIRED_SCOPE[role]:
            condition &= Q(**{f"{field}__isnull": False})
        elif field not in ALLOWED_SCOPE[role]:
            condition &= Q(**{f"{field}__isnull": True})
    return condition


def _all_scope_conditions() -> Q:
    condition = Q()
    for role in Role:
        condition |= _scope_condition(role)
    return condition


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("school"),
    )
    staff = models.OneToOneField(
        "staff.StaffMember",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="membership",
        verbose_name=_("staff record"),
    )
    vendor = models.ForeignKey(
        "vendors.Vendor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("vendor"),
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("household"),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role membership")
        verbose_name_plural = _("role memberships")
        constraints = [
            models.CheckConstraint(condition=_all_scope_conditions(), name="membership_scope_matches_role"),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=Q(
                    role__in=["bureau_officer", "course_reviewer"],
                    district__isnull=False,
                ),
                name="membership_unique_district_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(
                    role__in=["bureau_officer", "course_reviewer"],
                    district__isnull=True,
                ),
                name="membership_unique_city_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(school__isnull=False),
                name="membership_unique_school_role",
            ),
            models.UniqueConstraint(
                fields=["user", "vendor"],
                condition=Q(vendor__isnull=False),
                name="membership_unique_vendor",
            ),
            models.UniqueConstraint(
                fields=["user", "household"],
                condition=Q(household__isnull=False),
                name="membership_unique_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope(self):
        return self.household or self.vendor or self.school or self.district

    @property
    def scope_label(self) -> str:
        scope = self.scope
        if scope is None:
            return str(_("City"))
        return str(scope)

    def clean(self):
        if (
            self.role == Role.TEACHER
            and self.staff_id
            and self.school_id
            and self.staff.school_id != self.school_id
        ):
            raise ValidationError(
                {
                    "staff": ValidationError(
                        _("The staff record must belong to the membership's school."),
                        code="staff_of_other_school",
                    )
                }
            )
