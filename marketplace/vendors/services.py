"""State changes of vendors: registration, the profile, instructors, documents, and review.

The life of an application:

==================  ==============================  =================
action              from                            to
==================  ==============================  =================
submit (clerk)      draft, changes_requested        submitted
approve             submitted                       approved
reject              submitted                       rejected
request changes     submitted                       changes_requested
suspend             approved                        suspended
reinstate           suspended                       approved
revoke              approved, suspended             revoked
reopen              rejected, revoked               submitted
reapply (clerk)     rejected, after the wait        draft
==================  ==============================  =================

* A signed-up user registers an institution (``vendor_register``): the vendor starts as a
  draft and the user becomes its ``vendor_member`` (its clerk).
* The clerk completes the profile, instructors and documents and submits it
  (``vendor_submit``); a bureau officer of the city or of the vendor's district approves,
  rejects or asks for changes. Approved vendors form the approved list; an officer may
  suspend or revoke one and reinstate a suspended one. The credit code stays taken, so an
  institution cannot slip back in under a fresh draft: a rejected institution applies again
  with the same record (``vendor_reapply``) once the waiting period of ``VendorPolicy`` has
  passed, and an officer undoes a mistaken rejection or revocation by reopening it with a
  reason (``vendor_reopen``: back to *submitted*, decided afresh). Approval re-checks the
  application's completeness (``vendor_incomplete``). Revoking is confirmed on its own page,
  which names its consequences (``portal.selectors.revocation_consequences``).
* Every status change writes one ``VendorDecision`` (who, when, from, to, why) in the same
  transaction, with the vendor row locked (``select_for_update``) so two officers cannot
  decide the same application twice. Rejecting, asking for changes, suspending and revoking
  need a reason.

What the clerk may change, and when:

* The profile and the documents only while the vendor ``is_editable`` (draft or changes
  requested): what the officer reviews and approves must stay what was submitted.
* Instructors and their availability windows also while the vendor is *approved*: schools
  plan timetables and vendors accept course requests against the instructors' current
  availability, which changes during the year. An instructor whom an activity or a course
  request names cannot be deleted (schools' plans rely on them), nor, once approved, one
  whose qualification documents are part of the approved application. While *submitted*
  (under review), suspended, rejected or revoked nothing can be changed.

The services check the actor too, not only the views: clerk services need a
``vendor_member`` of the vendor, decisions a bureau officer of the city or of the vendor's
district (so admin actions and tasks cannot bypass the rules).

Every service that changes a vendor (its profile, status, instructors or documents) sends
``vendor_changed`` with ``vendor=`` inside its transaction. Refusals raise ``VendorError``
(a ``ValidationError``: per field when it is about one field) and write nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.uploads import validate_document
from marketplace.vendors.credit_code import validate_credit_code
from marketplace.vendors.models import (
    Instructor,
    InstructorAvailability,
    Vendor,
    VendorAmendment,
    VendorDecision,
    VendorDocument,
    VendorPolicy,
    VendorStatus,
)
from marketplace.vendors.selectors import reapply_date, vendor_missing_items
from marketplace.vendors.signals import vendor_changed
from people.roles.access import (
    bureau_covers_district,
    bureau_district_ids,
    forget_memberships,
    vendor_ids_for,
)
from people.roles.models import Membership, Role


class VendorError(DomainError):
    """A vendor change that cannot be made; the message says what and why, ``code`` which
    rule refused it (also on a refusal about one field, see ``field_error``)."""

    @classmethod
    def field_error(cls, field: str, message, code: str) -> VendorError:
        """A refusal about one field of a form, which still carries its ``code``."""
        error = cls({field: cls(message, code=code)})
        error.code = code
        return error


# The profile fields the clerk fills in (registration and edits).
PROFILE_FIELDS = (
    "name",
    "name_en",
    "credit_code",
    "institution_type",
    "licence_number",
    "category",
    "district",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "description",
    "description_en",
)

# Officer decisions: action → (statuses it may start from, status it leads to).
Action = VendorDecision.Action
TRANSITIONS = {
    Action.APPROVED: ((VendorStatus.SUBMITTED,), VendorStatus.APPROVED),
    Action.REJECTED: ((VendorStatus.SUBMITTED,), VendorStatus.REJECTED),
    Action.CHANGES_REQUESTED: ((VendorStatus.SUBMITTED,), VendorStatus.CHANGES_REQUESTED),
    Action.SUSPENDED: ((VendorStatus.APPROVED,), VendorStatus.SUSPENDED),
    Action.REVOKED: ((VendorStatus.APPROVED, VendorStatus.SUSPENDED), VendorStatus.REVOKED),
    Action.REINSTATED: ((VendorStatus.SUSPENDED,), VendorStatus.APPROVED),
    # A mistaken rejection or revocation is undone by reviewing the application again.
    Action.REOPENED: ((VendorStatus.REJECTED, VendorStatus.REVOKED), VendorStatus.SUBMITTED),
}

# Why a decision is refused in the vendor's current status.
REFUSED = {
    Action.SUBMITTED: gettext_lazy("A vendor that is “%(status)s” cannot be submitted for review."),
    Action.APPROVED: gettext_lazy("Only a submitted application can be approved; this one is “%(status)s”."),
    Action.REJECTED: gettext_lazy("Only a submitted application can be rejected; this one is “%(status)s”."),
    Action.CHANGES_REQUESTED: gettext_lazy(
        "Changes can be requested only of a submitted application; this one is “%(status)s”."
    ),
    Action.SUSPENDED: gettext_lazy("Only an approved vendor can be suspended; this one is “%(status)s”."),
    Action.REVOKED: gettext_lazy(
        "Only an approved or suspended vendor can be revoked; this one is “%(status)s”."
    ),
    Action.REINSTATED: gettext_lazy("Only a suspended vendor can be reinstated; this one is “%(status)s”."),
    Action.REOPENED: gettext_lazy(
        "Only a rejection or a revocation can be reopened; this vendor is “%(status)s”."
    ),
    Action.REAPPLIED: gettext_lazy("Only a rejected institution can apply again; this one is “%(status)s”."),
}

# Statuses in which instructors and their availability may be changed (see the docstring).
INSTRUCTOR_EDITABLE = (VendorStatus.DRAFT, VendorStatus.CHANGES_REQUESTED, VendorStatus.APPROVED)


def officer_actions(vendor: Vendor) -> list[str]:
    """The decisions an officer may take on the vendor in its current status."""
    return [action for action, (sources, _target) in TRANSITIONS.items() if vendor.status in sources]


def instructors_editable(vendor: Vendor) -> bool:
    return vendor.status in INSTRUCTOR_EDITABLE


# --- helpers --------------------------------------------------------------------------------


def _lock(vendor: Vendor) -> Vendor:
    """The vendor row, locked until the transaction ends, with its current status."""
    locked = Vendor.objects.select_for_update().get(pk=vendor.pk)
    vendor.status = locked.status
    return locked


def _changed(vendor: Vendor) -> None:
    vendor_changed.send(sender=Vendor, vendor=vendor)


def _require_member(user, vendor: Vendor) -> None:
    if vendor.pk not in vendor_ids_for(user):
        raise VendorError(
            _("Only the institution's own staff may change its application."), code="not_member"
        )


def _require_officer(user, vendor: Vendor) -> None:
    if not bureau_covers_district(user, vendor.district_id):
        raise VendorError(
            _("Only a bureau officer of the vendor's district may decide on it."), code="not_officer"
        )


def _require_editable(vendor: Vendor) -> None:
    if not vendor.is_editable:
        raise VendorError(
            _(
                "The application is “%(status)s”; it can be changed only as a draft or when changes are requested."
            )
            % {"status": vendor.get_status_display()},
            code="not_editable",
        )


def _check_profile(vendor: Vendor) -> None:
    """The profile's own rules: a valid and unused credit code, a non-academic category, and
    the model's field checks."""
    vendor.credit_code = (vendor.credit_code or "").strip().upper()
    vendor.name = (vendor.name or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    try:
        validate_credit_code(vendor.credit_code)
    except ValidationError as error:
        errors["credit_code"] = error.error_list
    else:
        taken = Vendor.objects.filter(credit_code=vendor.credit_code).exclude(pk=vendor.pk)
        if taken.exists():
            errors["credit_code"] = [
                ValidationError(
                    _("An institution with the unified social credit code %(code)s is already registered.")
                    % {"code": vendor.credit_code},
                    code="credit_code_taken",
                )
            ]
    if vendor.category_id is not None and vendor.category.is_academic:
        errors["category"] = [
            ValidationError(
                _("“%(category)s” is academic subject tutoring, which may not be offered after school.")
                % {"category": vendor.category.display_name},
                code="category_academic",
            )
        ]
    try:
        vendor.full_clean(exclude=list(errors), validate_unique=False)
    except ValidationError as error:
        for field, items in error.error_dict.items():
            errors.setdefault(field, []).extend(items)
    if errors:
        raise VendorError.about_fields(errors, "profile_rejected")


def _save_unique(vendor: Vendor, **kwargs) -> None:
    """Save; a credit code taken by a concurrent registration becomes a clear error."""
    try:
        with transaction.atomic():
            vendor.save(**kwargs)
    except IntegrityError as error:
        if Vendor.objects.filter(credit_code=vendor.credit_code).exclude(pk=vendor.pk).exists():
            raise VendorError.field_error(
                "credit_code",
                _("An institution with the unified social credit code %(code)s is already registered.")
                % {"code": vendor.credit_code},
                "credit_code_taken",
            ) from error
        raise


# --- registration and the profile -----------------------------------------------------------


@transaction.atomic
def vendor_register(*, user, **profile) -> Vendor:
    """Register an institution: a draft vendor, and the user as its ``vendor_member``.

    ``profile`` holds ``PROFILE_FIELDS`` (``name``, ``credit_code``, ``category`` and
    ``district`` required). An account may belong to one institution only.
    """
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown vendor fields: {sorted(unknown)}")
    if vendor_ids_for(user):
        raise VendorError(_("Your account already belongs to an institution."), code="already_member")
    vendor = Vendor(status=VendorStatus.DRAFT, **profile)
    _check_profile(vendor)
    _save_unique(vendor)
    Membership.objects.create(user=user, role=Role.VENDOR_MEMBER, vendor=vendor)
    forget_memberships(user)
    _changed(vendor)
    return vendor


@transaction.atomic
def vendor_update(*, vendor: Vendor, user, **changes) -> Vendor:
    """Change the profile (any of ``PROFILE_FIELDS``) of a draft or of an application whose
    officer asked for changes."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown vendor fields: {sorted(unknown)}")
    _require_member(user, vendor)
    locked = _lock(vendor)
    _require_editable(locked)
    for field, value in changes.items():
        setattr(locked, field, value)
    _check_profile(locked)
    _save_unique(locked)
    vendor.refresh_from_db()
    _changed(locked)
    return locked


# --- instructors ----------------------------------------------------------------------------


def _check_windows(windows: Iterable[tuple]) -> list[tuple]:
    """Each window ends after it starts, and one instructor's windows do not overlap."""
    windows = sorted((int(day), start, end) for day, start, end in windows)
    errors = []
    labels = dict(InstructorAvailability._meta.get_field("weekday").choices)
    for day, start, end in windows:
        if day not in labels:
            errors.append(
                ValidationError(_("%(day)s is not a weekday.") % {"day": day}, code="window_day_unknown")
            )
        elif end <= start:
            errors.append(
                ValidationError(
                    _("%(day)s %(start)s–%(end)s: a window must end after it starts.")
                    % {"day": labels[day], "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
                    code="window_end_before_start",
                )
            )
    by_day = defaultdict(list)
    for day, start, end in windows:
        by_day[day].append((start, end))
    for day, spans in by_day.items():
        for (start1, end1), (start2, end2) in zip(spans, spans[1:], strict=False):
            if start2 < end1:
                errors.append(
                    ValidationError(
                        _("%(day)s: the windows %(a)s and %(b)s overlap.")
                        % {
                            "day": labels.get(day, day),
                            "a": f"{start1:%H:%M}–{end1:%H:%M}",
                            "b": f"{start2:%H:%M}–{end2:%H:%M}",
                        },
                        code="windows_overlap",
                    )
                )
    if errors:
        raise VendorError(errors, code=errors[0].code)
    return windows


@transaction.atomic
def instructor_save(
    *,
    vendor: Vendor,
    user,
    instructor: Instructor | None = None,
    name: str,
    subjects: Iterable = (),
    qualifications: str = "",
    max_sessions: int | None = None,
    windows: Iterable[tuple] = (),
) -> Instructor:
    """Add an instructor (``instructor=None``) or change one, replacing their availability
    with ``windows`` — ``(weekday, start, end)`` tuples, weekday 0 = Monday.

    Allowed for a draft, changes requested, or an approved vendor (see the module docstring).
    """
    _require_member(user, vendor)
    locked = _lock(vendor)
    if not instructors_editable(locked):
        raise VendorError(
            _("The vendor is “%(status)s”: its instructors cannot be changed now.")
            % {"status": locked.get_status_display()},
            code="instructors_locked",
        )
    if instructor is not None and instructor.vendor_id != vendor.pk:
        raise VendorError(_("This instructor does not work for this institution."), code="not_own_instructor")
    windows = _check_windows(windows)
    amend = instructor is None and locked.status == VendorStatus.APPROVED
    if instructor is None:
        # An approved vendor's new instructor waits for an officer (an amendment) before
        # it can be named on a course; the application's instructors were reviewed with it.
        instructor = Instructor(vendor=locked, vetted=not amend)
    instructor.name = (name or "").strip()
    instructor.qualifications = qualifications or ""
    instructor.max_sessions = max_sessions
    try:
        instructor.full_clean()
    except ValidationError as error:
        raise VendorError.about_fields(error.error_dict, "instructor_rejected") from error
    instructor.save()
    instructor.subjects.set(list(subjects))
    instructor.availability.all().delete()
    InstructorAvailability.objects.bulk_create(
        [InstructorAvailability(instructor=instructor, weekday=d, start=s, end=e) for d, s, e in windows]
    )
    if amend:
        VendorAmendment.objects.create(
            vendor=locked, kind=VendorAmendment.Kind.INSTRUCTOR, instructor=instructor, submitted_by=user
        )
    _changed(locked)
    return instructor


@transaction.atomic
def instructor_delete(*, instructor: Instructor, user) -> None:
    """Remove an instructor (and their availability and qualification documents)."""
    vendor = instructor.vendor
    _require_member(user, vendor)
    locked = _lock(vendor)
    if not instructors_editable(locked):
        raise VendorError(
            _("The vendor is “%(status)s”: its instructors cannot be changed now.")
            % {"status": locked.get_status_display()},
            code="instructors_locked",
        )
    if instructor.fixed_activities.exists() or instructor.course_requests.exists():
        raise VendorError(
            _("%(name)s is named on a school's activity or course request and cannot be removed.")
            % {"name": instructor.name},
            code="instructor_in_use",
        )
    if instructor.documents.exists() and not locked.is_editable:
        raise VendorError(
            _("%(name)s has documents on the approved application and cannot be removed.")
            % {"name": instructor.name},
            code="instructor_documented",
        )
    names = list(instructor.documents.values_list("file", flat=True))
    instructor.delete()
    _delete_files_on_commit(names)
    _changed(locked)


# --- documents ------------------------------------------------------------------------------


def _delete_files_on_commit(names: Iterable[str]) -> None:
    storage = VendorDocument._meta.get_field("file").storage
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name))


@transaction.atomic
def document_add(
    *,
    vendor: Vendor,
    user,
    kind: str,
    title: str,
    file,
    instructor: Instructor | None = None,
) -> VendorDocument:
    """File a document (a PDF or an image, checked by its bytes and size) with the application.

    Allowed while the application is editable, and for an approved vendor, whose document
    goes to the officer as an amendment (``accepted`` once approved). A refused file writes
    nothing: no row, no stored file.
    """
    _require_member(user, vendor)
    locked = _lock(vendor)
    amend = locked.status == VendorStatus.APPROVED
    if not amend:
        _require_editable(locked)
    if instructor is not None and instructor.vendor_id != vendor.pk:
        raise VendorError.field_error(
            "instructor", _("This instructor does not work for this institution."), "not_own_instructor"
        )
    if file is None:
        raise VendorError.field_error("file", _("Choose a file to upload."), "file_missing")
    try:
        content_type = validate_document(file)
    except ValidationError as error:
        raise VendorError.about_fields({"file": error.error_list}, "document_rejected") from error
    document = VendorDocument(
        vendor=locked,
        instructor=instructor,
        kind=kind,
        title=(title or "").strip(),
        file=file,
        content_type=content_type,
        size=file.size,
        uploaded_by=user,
        # An approved vendor's new document (a renewed licence, insurance) joins the record
        # when an officer approves its amendment.
        accepted=not amend,
    )
    try:
        # The file's name is left to the storage, which shortens it to fit the column.
        document.full_clean(exclude=["file"])
    except ValidationError as error:
        raise VendorError.about_fields(error.error_dict, "document_rejected") from error
    try:
        with transaction.atomic():
            document.save()
            if amend:
                VendorAmendment.objects.create(
                    vendor=locked, kind=VendorAmendment.Kind.DOCUMENT, document=document, submitted_by=user
                )
            _changed(locked)
    except BaseException:
        # The file reached the storage before the row failed: take it away again.
        if document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def document_delete(*, document: VendorDocument, user) -> None:
    """Remove a document of a draft (or changes-requested) application; its file goes once
    the deletion is committed."""
    vendor = document.vendor
    _require_member(user, vendor)
    locked = _lock(vendor)
    _require_editable(locked)
    name = document.file.name
    document.delete()
    _delete_files_on_commit([name])
    _changed(locked)


# --- review ---------------------------------------------------------------------------------


def _decide(*, vendor: Vendor, actor, action: str, reason: str, sources, target) -> VendorDecision:
    reason = (reason or "").strip()
    locked = _lock(vendor)
    if locked.status not in sources:
        raise VendorError(REFUSED[action] % {"status": locked.get_status_display()}, code="state")
    if action in VendorDecision.NEEDS_REASON and not reason:
        raise VendorError.field_error("reason", _("Give a reason: the vendor sees it."), "reason_required")
    if action == Action.APPROVED:
        # What was complete when submitted may not be now (an import, an edit outside the
        # pages, a lost file): the approval checks the evidence itself, never the status.
        _require_complete(locked)
    decision = VendorDecision.objects.create(
        vendor=locked,
        action=action,
        from_status=locked.status,
        to_status=target,
        reason=reason,
        actor=actor,
    )
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    vendor.status = locked.status
    vendor.updated_at = locked.updated_at
    _changed(locked)
    return decision


def _require_complete(vendor: Vendor) -> None:
    """Refuse (``vendor_incomplete``) an application that lacks any item of its checklist,
    naming each missing item."""
    missing = vendor_missing_items(vendor=vendor)
    if missing:
        raise VendorError(
            _("The application is not complete: %(missing)s")
            % {"missing": " ".join(str(item.message) for item in missing)},
            code="vendor_incomplete",
        )


@transaction.atomic
def vendor_submit(*, vendor: Vendor, user) -> VendorDecision:
    """Send a complete draft (or a changed application) to the district officers."""
    _require_member(user, vendor)
    locked = _lock(vendor)
    if not locked.is_editable:
        raise VendorError(REFUSED[Action.SUBMITTED] % {"status": locked.get_status_display()}, code="state")
    missing = vendor_missing_items(vendor=locked)
    if missing:
        raise VendorError(
            [_("The application is not complete:")] + [str(item.message) for item in missing],
            code="incomplete",
        )
    return _decide(
        vendor=vendor,
        actor=user,
        action=Action.SUBMITTED,
        reason="",
        sources=(VendorStatus.DRAFT, VendorStatus.CHANGES_REQUESTED),
        target=VendorStatus.SUBMITTED,
    )


@transaction.atomic
def vendor_decide(*, vendor: Vendor, officer, action: str, reason: str = "") -> VendorDecision:
    """An officer's decision: one of ``TRANSITIONS`` (approve, reject, ask for changes,
    suspend, revoke, reinstate)."""
    if action not in TRANSITIONS:
        raise VendorError(_("Unknown decision."), code="unknown_action")
    _require_officer(officer, vendor)
    sources, target = TRANSITIONS[action]
    return _decide(vendor=vendor, actor=officer, action=action, reason=reason, sources=sources, target=target)


def vendor_approve(*, vendor: Vendor, officer, reason: str = "") -> VendorDecision:
    """Put a submitted application on the approved list."""
    return vendor_decide(vendor=vendor, officer=officer, action=Action.APPROVED, reason=reason)


def vendor_reject(*, vendor: Vendor, officer, reason: str) -> VendorDecision:
    """Refuse a submitted application for good (a reason is required)."""
    return vendor_decide(vendor=vendor, officer=officer, action=Action.REJECTED, reason=reason)


def vendor_request_changes(*, vendor: Vendor, officer, reason: str) -> VendorDecision:
    """Send a submitted application back to its clerk (a reason is required)."""
    return vendor_decide(vendor=vendor, officer=officer, action=Action.CHANGES_REQUESTED, reason=reason)


def vendor_suspend(*, vendor: Vendor, officer, reason: str) -> VendorDecision:
    """Take an approved vendor off the list for now (a reason is required)."""
    return vendor_decide(vendor=vendor, officer=officer, action=Action.SUSPENDED, reason=reason)


def vendor_revoke(*, vendor: Vendor, officer, reason: str) -> VendorDecision:
    """Take an approved or suspended vendor off the list for good (a reason is required)."""
    return vendor_decide(vendor=vendor, officer=officer, action=Action.REVOKED, reason=reason)


def vendor_reinstate(*, vendor: Vendor, officer, reason: str = "") -> VendorDecision:
    """Put a suspended vendor back on the approved list."""
    return vendor_decide(vendor=vendor, officer=officer, action=Action.REINSTATED, reason=reason)


def vendor_reopen(*, vendor: Vendor, officer, reason: str) -> VendorDecision:
    """Undo a mistaken rejection or revocation: the application is submitted again, to be
    decided afresh (an approval re-checks its completeness). A reason is required and kept
    in the history; the earlier decision stays there too."""
    return vendor_decide(vendor=vendor, officer=officer, action=Action.REOPENED, reason=reason)


@transaction.atomic
def vendor_reapply(*, vendor: Vendor, user) -> VendorDecision:
    """A rejected institution applies again: its record becomes a draft the clerk completes
    and submits, once the waiting period the bureau sets (``VendorPolicy``) has passed since
    the rejection. Refused with ``reapply_too_soon`` (naming the first allowed day) before."""
    _require_member(user, vendor)
    locked = _lock(vendor)
    if locked.status != VendorStatus.REJECTED:
        raise VendorError(REFUSED[Action.REAPPLIED] % {"status": locked.get_status_display()}, code="state")
    allowed_from = reapply_date(vendor=locked)
    if allowed_from is not None and timezone.localdate() < allowed_from:
        raise VendorError(
            _("The institution may apply again from %(date)s.") % {"date": date_format(allowed_from)},
            code="reapply_too_soon",
        )
    return _decide(
        vendor=vendor,
        actor=user,
        action=Action.REAPPLIED,
        reason="",
        sources=(VendorStatus.REJECTED,),
        target=VendorStatus.DRAFT,
    )


# --- amendments of an approved vendor -------------------------------------------------------


@transaction.atomic
def vendor_contact_change(*, vendor: Vendor, user, **changes) -> VendorAmendment:
    """An approved vendor asks to change its contact details (``VendorAmendment.CONTACT_FIELDS``).

    Nothing changes on the record until an officer approves; one contact change waits at a
    time. Refused: ``state`` (not approved), ``amendment_pending``, ``no_change``, or the
    fields' own checks.
    """
    unknown = set(changes) - set(VendorAmendment.CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    _require_member(user, vendor)
    locked = _lock(vendor)
    if locked.status != VendorStatus.APPROVED:
        raise VendorError(
            _("Only an approved vendor's contact details change by amendment; this one is “%(status)s”.")
            % {"status": locked.get_status_display()},
            code="state",
        )
    if locked.amendments.filter(
        kind=VendorAmendment.Kind.CONTACT, status=VendorAmendment.Status.PENDING
    ).exists():
        raise VendorError(
            _("A change of contact details is already waiting for the bureau."), code="amendment_pending"
        )
    changes = {field: (value or "").strip() for field, value in changes.items()}
    candidate = Vendor.objects.get(pk=locked.pk)
    for field, value in changes.items():
        setattr(candidate, field, value)
    errors: dict[str, list[ValidationError]] = {}
    for field in ("contact_name", "contact_phone"):
        if field in changes and not changes[field]:
            errors[field] = [ValidationError(_("This field is required."), code="required")]
    try:
        candidate.full_clean(exclude=[f.name for f in Vendor._meta.fields if f.name not in changes])
    except ValidationError as error:
        for field, items in error.error_dict.items():
            errors.setdefault(field, []).extend(items)
    if errors:
        raise VendorError.about_fields(errors, "contact_rejected")
    changed = {field: value for field, value in changes.items() if getattr(locked, field) != value}
    if not changed:
        raise VendorError(_("Nothing was changed."), code="no_change")
    amendment = VendorAmendment.objects.create(
        vendor=locked,
        kind=VendorAmendment.Kind.CONTACT,
        changes=changed,
        previous={field: getattr(locked, field) for field in changed},
        submitted_by=user,
    )
    _changed(locked)
    return amendment


@transaction.atomic
def amendment_decide(
    *, amendment: VendorAmendment, officer, approve: bool, reason: str = ""
) -> VendorAmendment:
    """An officer of the vendor's district (or the city) approves or rejects an amendment.

    Approving vets the new instructor (now assignable), accepts the new document into the
    record, or applies the new contact details; rejecting needs a reason and changes nothing
    on the record. The vendor's status is untouched either way. Refused: ``not_officer``,
    ``amendment_decided``, ``reason_required``.
    """
    vendor = amendment.vendor
    if not bureau_covers_district(officer, vendor.district_id):
        raise VendorError(
            _("Only a bureau officer of the vendor's district may decide on it."), code="not_officer"
        )
    locked = _lock(vendor)
    amendment = VendorAmendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.status != VendorAmendment.Status.PENDING:
        raise VendorError(_("This amendment has already been decided."), code="amendment_decided")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise VendorError.field_error("reason", _("Give a reason: the vendor sees it."), "reason_required")
    if approve:
        if amendment.kind == VendorAmendment.Kind.INSTRUCTOR:
            Instructor.objects.filter(pk=amendment.instructor_id).update(vetted=True)
        elif amendment.kind == VendorAmendment.Kind.DOCUMENT:
            VendorDocument.objects.filter(pk=amendment.document_id).update(accepted=True)
        else:
            for field, value in amendment.changes.items():
                setattr(locked, field, value)
            locked.save(update_fields=[*amendment.changes, "updated_at"])
    amendment.status = VendorAmendment.Status.APPROVED if approve else VendorAmendment.Status.REJECTED
    amendment.reason = reason
    amendment.decided_by = officer
    amendment.decided_at = timezone.now()
    amendment.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _changed(locked)
    return amendment


@transaction.atomic
def vendor_policy_save(*, user, reapply_after_days: int) -> VendorPolicy:
    """A city bureau officer sets how long a rejected institution waits before applying again."""
    if bureau_district_ids(user) is not None:
        raise VendorError(_("Only a city bureau officer can change these settings."), code="not_city_officer")
    if reapply_after_days is None or not 0 <= int(reapply_after_days) <= 3650:
        raise VendorError(_("Enter a number of days from 0 to 3650."), code="reapply_days_invalid")
    policy, _created = VendorPolicy.objects.select_for_update().get_or_create(pk=1)
    policy.reapply_after_days = int(reapply_after_days)
    policy.save()
    return policy
