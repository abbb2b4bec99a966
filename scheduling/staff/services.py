"""Changes to teachers' standing availability and their private calendar feeds.

Availability: a teacher proposes weekly rest days and unavailable slots
(``availability_request``); an administrator of the school approves or refuses it
(``availability_decide``), or the teacher withdraws it (``availability_withdraw``). Approval
copies the proposal onto ``StaffMember.rest_days`` and ``StaffMember.unavailable`` in one
transaction, so the next ``problem_assemble`` — and so the next solve — uses them.

A proposal is refused when it names a slot of another school's grid, a rest day on which the
school has no after-school slot, or when it would leave fewer free slots a week than the
teacher's ``min_duties`` (the solver could then never meet the minimum).

Feeds (item 5): ``calendar_feed_for`` gives a teacher's feed, creating it on first use;
``calendar_feed_reset`` replaces its token, so the old address stops working at once.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.weekdays import WEEKDAY_CHOICES, days_from_mask
from scheduling.slots.models import Slot
from scheduling.staff.models import AvailabilityRequest, CalendarFeed, StaffMember, feed_token_hash


class AvailabilityError(DomainError):
    """A refused availability change; the message is translated and fit to show the user,
    ``code`` names the refusal: ``rest_days_invalid``, ``slot_of_other_school``,
    ``rest_day_without_slots``, ``below_min_duties``, ``already_pending``, ``already_decided``
    (decided or withdrawn), ``note_required`` (a refusal without a reason)."""


def _validated_slots(*, staff: StaffMember, rest_days: int, unavailable_slot_ids) -> list[Slot]:
    """The proposal's slots, after every check a proposal (or its approval) must pass."""
    if not 0 <= rest_days <= 127:
        raise AvailabilityError(_("Rest days must be days of the week."), code="rest_days_invalid")
    ids = {int(pk) for pk in unavailable_slot_ids}
    slots = list(Slot.objects.filter(pk__in=ids, school_id=staff.school_id))
    if len(slots) != len(ids):
        raise AvailabilityError(
            _("Unavailable slots must belong to the staff member's school."), code="slot_of_other_school"
        )
    grid = list(Slot.objects.filter(school_id=staff.school_id))
    school_days = {slot.weekday for slot in grid}
    names = dict(WEEKDAY_CHOICES)
    outside = [day for day in days_from_mask(rest_days) if day not in school_days]
    if outside:
        raise AvailabilityError(
            _("The school has no after-school slots on %(days)s: choose rest days among its days.")
            % {"days": ", ".join(str(names[day]) for day in outside)},
            code="rest_day_without_slots",
        )
    free = [slot for slot in grid if slot.pk not in ids and not rest_days & (1 << slot.weekday)]
    if len(free) < staff.min_duties:
        raise AvailabilityError(
            _(
                "This would leave %(free)s free slots a week, fewer than your minimum of "
                "%(minimum)s weekly duties. Ask the administrator to lower the minimum first."
            )
            % {"free": len(free), "minimum": staff.min_duties},
            code="below_min_duties",
        )
    return slots


@transaction.atomic
def availability_request(
    *, staff: StaffMember, user, rest_days: int, unavailable_slot_ids, note: str = ""
) -> AvailabilityRequest:
    """Record a teacher's pending proposal; refused while another one is pending."""
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    if AvailabilityRequest.objects.filter(staff=staff, status=AvailabilityRequest.Status.PENDING).exists():
        raise AvailabilityError(
            _("You already have a proposal awaiting the administrator. Withdraw it to propose another."),
            code="already_pending",
        )
    slots = _validated_slots(staff=staff, rest_days=rest_days, unavailable_slot_ids=unavailable_slot_ids)
    try:
        with transaction.atomic():
            proposal = AvailabilityRequest.objects.create(
                staff=staff, rest_days=rest_days, note=(note or "").strip()[:200], requested_by=user
            )
    except IntegrityError as error:  # a concurrent proposal won the race
        raise AvailabilityError(
            _("You already have a proposal awaiting the administrator."), code="already_pending"
        ) from error
    proposal.unavailable.set(slots)
    return proposal


def _locked_pending(proposal: AvailabilityRequest) -> AvailabilityRequest:
    locked = AvailabilityRequest.objects.select_for_update().select_related("staff").get(pk=proposal.pk)
    if locked.status != AvailabilityRequest.Status.PENDING:
        raise AvailabilityError(
            _("This proposal has already been decided or withdrawn."), code="already_decided"
        )
    return locked


@transaction.atomic
def availability_decide(
    *, request: AvailabilityRequest, user, approve: bool, note: str = ""
) -> AvailabilityRequest:
    """Approve (the staff record takes the proposal) or refuse (a note is required)."""
    proposal = _locked_pending(request)
    note = (note or "").strip()[:200]
    if approve:
        staff = StaffMember.objects.select_for_update().get(pk=proposal.staff_id)
        slots = _validated_slots(
            staff=staff,
            rest_days=proposal.rest_days,
            unavailable_slot_ids=proposal.unavailable.values_list("pk", flat=True),
        )
        staff.rest_days = proposal.rest_days
        staff.save(update_fields=["rest_days"])
        staff.unavailable.set(slots)
        proposal.status = AvailabilityRequest.Status.APPROVED
    else:
        if not note:
            raise AvailabilityError(_("Say why the proposal is refused."), code="note_required")
        proposal.status = AvailabilityRequest.Status.REJECTED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return proposal


@transaction.atomic
def availability_withdraw(*, request: AvailabilityRequest, user) -> AvailabilityRequest:
    """The teacher takes back a pending proposal."""
    proposal = _locked_pending(request)
    proposal.status = AvailabilityRequest.Status.WITHDRAWN
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, feed_token_hash(token)


@transaction.atomic
def calendar_feed_for(*, staff: StaffMember) -> CalendarFeed:
    """The staff member's feed, created with a fresh token on first use."""
    feed = CalendarFeed.objects.filter(staff=staff).first()
    if feed is None:
        token, digest = _new_token()
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(staff=staff, token=token, token_hash=digest)
        except IntegrityError:  # created concurrently (the same teacher, two tabs)
            feed = CalendarFeed.objects.get(staff=staff)
    return feed


@transaction.atomic
def calendar_feed_reset(*, staff: StaffMember) -> CalendarFeed:
    """Give the feed a new token; the old address is a 404 from now on."""
    feed = calendar_feed_for(staff=staff)
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    feed.token, feed.token_hash = _new_token()
    feed.reset_at = timezone.now()
    feed.save(update_fields=["token", "token_hash", "reset_at"])
    return feed
