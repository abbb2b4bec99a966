"""Changes of duty and rest: duty records, rest claims with automatic cover, the policy.

``duty_record_for_delivery`` writes the duty record of a delivered staff-held session (it is
connected to ``scheduling.attendance.signals.session_delivered`` in ``RestConfig.ready``).

``rest_claim`` lets a teacher claim one future day of rest, no reason asked, when their
balance for that school year is at least one (``selectors``). The claim is covered at once
with the cover engine (``scheduling.solver.cover``) on the published run that wrote the
day's sessions: the teacher is absent on that day, and every change already in force that
day (covers of earlier claims, any other hand-over) is kept, so two claims on one day see
each other. When every one of the teacher's sessions that day finds a substitute under the
hard rules the claim is approved automatically: each session is handed to its substitute
(``DatedSession.staff``; a ``CoverAssignment`` records from whom) and the substitutes are
e-mailed once the transaction commits. Otherwise nothing is handed over and the claim waits
for the school's administrator with the duties no one can cover named (``uncovered``).

``rest_claim_decide``: the administrator approves (the cover is computed again, what can be
covered is handed over, the rest stays listed and the administrator arranges it, a note is
then required) or refuses. ``rest_claim_cancel``: before the day, the claimant (or an
administrator) cancels; the covers are withdrawn and the sessions handed back. A cancelled
claim no longer counts, so its credit is back.

``rest_claims_recover``: publishing a timetable again rewrites the future sessions; the
approved rest days from then on are covered again on the new sessions, or returned to the
administrator with the teacher told — never left approved without their cover.

All claim changes of a school lock its ``School`` row first, so claims and decisions of one
school run one after the other and each sees the covers of the others.

A session handed to a substitute who then claims rest that same day is handed on: the first
cover is withdrawn (superseded) and the new one records the substitute as ``from_staff``;
cancelling the second claim hands the session back to that substitute.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.weekdays import DAY_CODES
from people.roles.access import school_ids_for
from people.roles.models import Membership, Role
from scheduling.rest.models import CoverAssignment, DutyRecord, RestClaim, RestPolicy
from scheduling.rest.selectors import balance_on, policy_for
from scheduling.slots.selectors import slot_codes
from scheduling.solver.cover import cover
from scheduling.solver.problem import COVER_FORMAT, load_problem, load_solution
from scheduling.staff.models import StaffMember
from scheduling.timetables.assembly import activity_key, class_key, instructor_key, key_pk, staff_key
from scheduling.timetables.models import DatedSession
from schools.models import School

logger = logging.getLogger(__name__)

COVER_TIME_LIMIT = 10.0  # seconds; a one-day cover of one school is a small model
NOT_IN_TIMETABLE = "not_in_timetable"
ENGINE_FAILED = "cover_failed"


class RestError(DomainError):
    """A refused duty or rest change; the message is translated and fit to show the user."""


# --- duty records ----------------------------------------------------------------------------


def duty_record_for_delivery(*, dated_session: DatedSession) -> DutyRecord | None:
    """The duty record of a delivered session held by a staff member (None for a vendor's).

    Idempotent per session. ``as_cover`` is set when the session was handed to its holder by
    a cover in force.
    """
    if dated_session.staff_id is None:
        return None
    kind = (
        DutyRecord.Kind.SUPERVISION
        if dated_session.kind == DatedSession.Kind.SUPERVISION
        else DutyRecord.Kind.ACTIVITY
    )
    as_cover = CoverAssignment.objects.filter(
        dated_session=dated_session, withdrawn_at__isnull=True, to_staff_id=dated_session.staff_id
    ).exists()
    record, _created = DutyRecord.objects.get_or_create(
        dated_session=dated_session,
        defaults={
            "staff_id": dated_session.staff_id,
            "school_id": dated_session.school_id,
            "term_id": dated_session.term_id,
            "date": dated_session.date,
            "kind": kind,
            "as_cover": as_cover,
        },
    )
    return record


# --- the cover of one claim ------------------------------------------------------------------


def _engine_kind(session: DatedSession) -> str:
    return "supervision" if session.kind == DatedSession.Kind.SUPERVISION else "meeting"


def _engine_key(session: DatedSession, codes: dict[int, str]) -> tuple[str, str, str]:
    if session.kind == DatedSession.Kind.SUPERVISION:
        return ("supervision", class_key(session.school_class), codes.get(session.slot_id, ""))
    return ("meeting", activity_key(session.activity_id), codes.get(session.slot_id, ""))


def _holder_key(session: DatedSession) -> str:
    if session.staff_id is not None:
        return staff_key(session.staff_id)
    return instructor_key(session.instructor_id)


def _describe(session: DatedSession) -> dict:
    """What the pages show of a session that is not covered."""
    if session.school_class is not None:
        label = gettext("Supervised study, class %(code)s") % {"code": session.school_class.code}
    else:
        label = session.activity.name
    return {
        "session": session.pk,
        "label": str(label),
        "time": f"{session.start:%H:%M}–{session.end:%H:%M}",
    }


def _plan_cover(claim: RestClaim) -> tuple[list[tuple[DatedSession, StaffMember]], list[dict]]:
    """The cover of the claimant's sessions of the claim's day, as the engine finds it.

    Returns the hand-overs ``(session, substitute)`` and the duties left uncovered (each the
    engine's entry plus the session's id, a label and the time). Writes nothing; the day's
    sessions are locked.
    """
    staff, day = claim.staff, claim.date
    school = staff.school
    sessions = list(
        DatedSession.objects.select_for_update(of=("self",))
        .filter(school=school, date=day)
        .select_related("slot", "school_class", "activity", "run")
        .order_by("start", "pk")
    )
    mine = [s for s in sessions if s.staff_id == staff.pk]
    if not mine:
        return [], []

    run = max((s.run for s in mine), key=lambda r: r.pk)
    codes = slot_codes(school=school)
    day_id = DAY_CODES[mine[0].slot.weekday]
    uncovered: list[dict] = []
    reassigned: list[dict] = []
    try:
        problem = load_problem(run.problem)
        solution = load_solution(run.solution)
        if staff_key(staff.pk) not in problem.staff_by_id:
            raise ValueError("the claimant is not in the published run's problem")
        people = set(problem.staff_by_id) | set(problem.instructor_by_id)
        holders = {("supervision", s.class_id, s.slot): s.staff for s in solution.supervisions}
        holders.update({("meeting", m.activity, m.slot): m.teacher for m in solution.meetings})
        # Keep every change in force that day: whoever holds a session now, if not the
        # weekly holder, holds it by a cover (or an administrator's hand-over).
        kept_moves = []
        for session in sessions:
            if session.run_id != run.pk:
                continue
            key = _engine_key(session, codes)
            weekly, now = holders.get(key), _holder_key(session)
            if weekly is not None and weekly != now and now in people:
                field = "class" if key[0] == "supervision" else "activity"
                kept_moves.append({"kind": key[0], field: key[1], "slot": key[2], "from": weekly, "to": now})
        resting = [
            {"id": staff_key(pk), "day": day_id}
            for pk in RestClaim.objects.filter(
                staff__school=school, date=day, status=RestClaim.Status.APPROVED
            )
            .exclude(pk=claim.pk)
            .values_list("staff_id", flat=True)
            if staff_key(pk) in people
        ]
        keep = (
            [{"format": COVER_FORMAT, "absent": resting, "reassigned": kept_moves}]
            if resting or kept_moves
            else []
        )
        result, _code = cover(
            problem, solution, [(staff_key(staff.pk), day_id)], keep, time_limit=COVER_TIME_LIMIT
        )
        reassigned, uncovered = result["reassigned"], result["uncovered"]
    except (ValueError, KeyError, TypeError) as error:
        # The run's problem does not fit the day (e.g. the teacher joined after the solve):
        # nothing can be covered automatically; the administrator decides.
        logger.warning("Rest claim %s: no automatic cover (%s)", claim.pk, error)
        reason = gettext("The published timetable cannot be covered automatically for this day.")
        return [], [
            {"kind": _engine_kind(s), "code": ENGINE_FAILED, "text": str(reason), **_describe(s)}
            for s in mine
        ]

    by_key = {_engine_key(s, codes): s for s in mine}
    substitutes = StaffMember.objects.filter(school=school).in_bulk(
        [key_pk(r.get("to"), "t") for r in reassigned if key_pk(r.get("to"), "t") is not None]
    )
    moves, handled, result_uncovered = [], set(), []
    for entry in uncovered:
        field = "class" if entry.get("kind") == "supervision" else "activity"
        session = by_key.get((entry.get("kind"), entry.get(field), entry.get("slot")))
        if session is not None:
            handled.add(session.pk)
            result_uncovered.append({**entry, **_describe(session)})
    for entry in reassigned:
        field = "class" if entry["kind"] == "supervision" else "activity"
        session = by_key.get((entry["kind"], entry[field], entry["slot"]))
        substitute = substitutes.get(key_pk(entry["to"], "t"))
        if session is None or substitute is None:
            continue
        handled.add(session.pk)
        moves.append((session, substitute))
    for session in mine:
        if session.pk not in handled:
            text = gettext("This session is not in the published timetable's weekly plan.")
            result_uncovered.append(
                {
                    "kind": _engine_kind(session),
                    "code": NOT_IN_TIMETABLE,
                    "text": str(text),
                    **_describe(session),
                }
            )
    return moves, result_uncovered


def _hand_over(claim: RestClaim, moves) -> list[CoverAssignment]:
    """Hand each ``(session, substitute)`` of ``moves`` over for ``claim``; the new covers."""
    now = timezone.now()
    covers = []
    for session, substitute in moves:
        # A session the claimant holds as someone else's substitute is handed on.
        CoverAssignment.objects.filter(dated_session=session, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        covers.append(
            CoverAssignment.objects.create(
                claim=claim, dated_session=session, from_staff=claim.staff, to_staff=substitute
            )
        )
        session.staff = substitute
        session.save(update_fields=["staff"])
    return covers


def _lock_school(school_id: int) -> School:
    return School.objects.select_for_update().get(pk=school_id)


def _emails_of_staff(staff_ids) -> dict[int, list[str]]:
    emails: dict[int, set[str]] = defaultdict(set)
    for staff_id, email in (
        Membership.objects.filter(role=Role.TEACHER, staff_id__in=list(staff_ids))
        .exclude(user__email="")
        .values_list("staff_id", "user__email")
    ):
        emails[staff_id].add(email)
    return {pk: sorted(values) for pk, values in emails.items()}


def _notify_substitutes(cover_ids: list[int], *, withdrawn: bool = False) -> None:
    """E-mail each substitute the sessions they take over (or no longer take over)."""
    covers = list(
        CoverAssignment.objects.filter(pk__in=cover_ids).select_related(
            "dated_session",
            "dated_session__school_class",
            "dated_session__activity",
            "dated_session__room",
            "from_staff",
            "to_staff",
        )
    )
    by_staff: dict[int, list[CoverAssignment]] = defaultdict(list)
    for item in covers:
        by_staff[item.to_staff_id].append(item)
    emails = _emails_of_staff(by_staff)
    for staff_id, items in by_staff.items():
        recipients = emails.get(staff_id)
        if not recipients:
            continue
        day = formats.date_format(items[0].dated_session.date, "DATE_FORMAT")
        lines = [
            f"- {item.dated_session.start:%H:%M}–{item.dated_session.end:%H:%M} "
            f"{_describe(item.dated_session)['label']} · {item.dated_session.room.name} "
            f"({gettext('for %(name)s') % {'name': item.from_staff.name}})"
            for item in items
        ]
        if withdrawn:
            subject = gettext("Cover withdrawn on %(date)s") % {"date": day}
            intro = gettext("The rest day was cancelled: you no longer cover these sessions on %(date)s:") % {
                "date": day
            }
        else:
            subject = gettext("You cover after-school duty on %(date)s") % {"date": day}
            intro = gettext(
                "A colleague rests on %(date)s. You take over these sessions (they are in your week "
                "and your calendar):"
            ) % {"date": day}
        try:
            send_mail(subject, "\n".join([intro, *lines]), None, recipients)
        except Exception:  # the cover is committed; a mail failure must not undo or hide it
            logger.exception("Could not e-mail substitute %s", staff_id)


def _notify_admins(claim_id: int) -> None:
    """E-mail the school's administrators that a claim waits for them."""
    claim = RestClaim.objects.select_related("staff", "staff__school").get(pk=claim_id)
    recipients = sorted(
        set(
            Membership.objects.filter(role=Role.SCHOOL_ADMIN, school_id=claim.staff.school_id)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return
    values = {"name": claim.staff.name, "date": formats.date_format(claim.date, "DATE_FORMAT")}
    subject = gettext("A rest claim needs your decision: %(name)s on %(date)s") % values
    body = (
        gettext(
            "%(name)s claims rest on %(date)s and not every duty that day can be covered automatically. "
            "Please decide on the school's rest page."
        )
        % values
    )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Could not e-mail the administrators about rest claim %s", claim_id)


# --- claims ----------------------------------------------------------------------------------


@transaction.atomic
def rest_claim(*, staff: StaffMember, date: date, user, today: date | None = None) -> RestClaim:
    """Claim a day of rest for ``staff`` on ``date`` (no reason asked); return the claim.

    Refused with ``RestError``, nothing written, when ``date`` is not after ``today`` (default:
    the local date; code ``not_after_today``), the teacher already has a live claim that day
    (``already_claimed``), has no published session that day (``no_duties_that_day``), or
    their balance for that school year is below one (``no_credit``). Otherwise approved
    automatically when every one of their sessions that day can be covered, else pending
    (see the module).
    """
    today = today if today is not None else timezone.localdate()
    _lock_school(staff.school_id)
    staff = StaffMember.objects.select_related("school").get(pk=staff.pk)
    if date <= today:
        raise RestError(_("Claim rest for a day after today."), code="not_after_today")
    if RestClaim.objects.filter(staff=staff, date=date, status__in=RestClaim.LIVE).exists():
        raise RestError(
            _("You have already claimed rest on %(date)s.") % {"date": date.isoformat()},
            code="already_claimed",
        )
    # Rest is earned by duty and spent on duty: a day without any session of the teacher's
    # (a weekend, a day of no after-school duty) would take a credit for nothing.
    if not DatedSession.objects.filter(school=staff.school, date=date, staff=staff).exists():
        raise RestError(
            _("You have no after-school duty on %(date)s, so there is nothing to rest from.")
            % {"date": formats.date_format(date, "DATE_FORMAT")},
            code="no_duties_that_day",
        )
    if balance_on(staff, date, policy_for(staff.school)) < 1:
        raise RestError(_("You have no rest day left to claim for that school year."), code="no_credit")

    claim = RestClaim.objects.create(staff=staff, date=date, status=RestClaim.Status.PENDING, claimed_by=user)
    moves, uncovered = _plan_cover(claim)
    if uncovered:  # nothing is handed over until the administrator decides
        claim.uncovered = uncovered
        claim.save(update_fields=["uncovered"])
        transaction.on_commit(lambda pk=claim.pk: _notify_admins(pk))
        return claim
    covers = _hand_over(claim, moves)
    claim.status = RestClaim.Status.APPROVED
    claim.automatic = True
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "automatic", "decided_at"])
    ids = [item.pk for item in covers]
    if ids:
        transaction.on_commit(lambda: _notify_substitutes(ids))
    return claim


def _is_admin(user, school_id: int) -> bool:
    return school_id in school_ids_for(user)


def _is_claimant(user, staff_id: int) -> bool:
    return Membership.objects.filter(
        user_id=getattr(user, "pk", None), role=Role.TEACHER, staff_id=staff_id
    ).exists()


@transaction.atomic
def rest_claim_decide(
    *, claim: RestClaim, user, approve: bool, note: str = "", today: date | None = None
) -> RestClaim:
    """The administrator's decision on a pending claim.

    Approving computes the cover again (the day may have changed since the claim), hands
    over what can be covered and keeps the rest listed in ``uncovered``: the administrator
    then arranges those duties and must say how in ``note``. Refusing hands nothing over.
    Refused with ``RestError`` when the user does not administer the claimant's school, the
    claim is not pending, or (to approve) its day has passed.
    """
    today = today if today is not None else timezone.localdate()
    _lock_school(claim.staff.school_id)
    claim = RestClaim.objects.select_related("staff", "staff__school").get(pk=claim.pk)
    note = (note or "").strip()
    if not _is_admin(user, claim.staff.school_id):
        raise RestError(_("Only an administrator of the school decides on rest claims."), code="not_admin")
    if claim.status != RestClaim.Status.PENDING:
        raise RestError(_("This claim has already been decided."), code="already_decided")
    if len(note) > RestClaim._meta.get_field("decision_note").max_length:
        raise RestError(_("The note is too long."), code="note_too_long")
    now = timezone.now()
    ids: list[int] = []
    if approve:
        if claim.date < today:
            raise RestError(_("The day of this claim has passed."), code="day_passed")
        moves, uncovered = _plan_cover(claim)
        if uncovered and not note:
            raise RestError(
                _("Some duties that day have no substitute: say in the note how they will be arranged."),
                code="note_required",
            )
        ids = [item.pk for item in _hand_over(claim, moves)]
        claim.status = RestClaim.Status.APPROVED
        claim.uncovered = uncovered
    else:
        claim.status = RestClaim.Status.REJECTED
    claim.automatic = False
    claim.decided_by, claim.decided_at, claim.decision_note = user, now, note
    claim.save(
        update_fields=["status", "uncovered", "automatic", "decided_by", "decided_at", "decision_note"]
    )
    if ids:
        transaction.on_commit(lambda: _notify_substitutes(ids))
    return claim


@transaction.atomic
def rest_claim_cancel(*, claim: RestClaim, user, today: date | None = None) -> RestClaim:
    """Cancel a live claim before its day: withdraw its covers and hand the sessions back.

    The claimant or an administrator of the school may cancel; the claim records who
    (``cancelled_by``, ``cancelled_by_claimant``). Refused with ``RestError``
    when the claim is not approved or pending, or its day is today or past. The credit is
    back because a cancelled claim no longer counts (``selectors.balance_on``).
    """
    today = today if today is not None else timezone.localdate()
    _lock_school(claim.staff.school_id)
    claim = RestClaim.objects.select_related("staff").get(pk=claim.pk)
    if not (_is_claimant(user, claim.staff_id) or _is_admin(user, claim.staff.school_id)):
        raise RestError(_("You may not cancel this claim."), code="not_allowed")
    if claim.status not in RestClaim.LIVE:
        raise RestError(_("Only an approved or pending claim can be cancelled."), code="not_live")
    if claim.date <= today:
        raise RestError(_("A rest day can be cancelled only before the day."), code="day_passed")
    now = timezone.now()
    withdrawn = []
    for item in claim.covers.filter(withdrawn_at__isnull=True).select_related("dated_session"):
        session = item.dated_session
        if session.staff_id == item.to_staff_id:
            session.staff_id = item.from_staff_id
            session.save(update_fields=["staff"])
        item.withdrawn_at = now
        item.save(update_fields=["withdrawn_at"])
        withdrawn.append(item.pk)
    claim.status, claim.cancelled_at, claim.cancelled_by = RestClaim.Status.CANCELLED, now, user
    claim.cancelled_by_claimant = _is_claimant(user, claim.staff_id)
    claim.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancelled_by_claimant"])
    if withdrawn:
        transaction.on_commit(lambda: _notify_substitutes(withdrawn, withdrawn=True))
    return claim


def _notify_reopened(claim_id: int) -> None:
    """Tell the teacher, and the school's administrators, that a changed timetable sent an
    approved rest day back to the administrator."""
    claim = RestClaim.objects.select_related("staff", "staff__school").get(pk=claim_id)
    values = {"name": claim.staff.name, "date": formats.date_format(claim.date, "DATE_FORMAT")}
    teacher = _emails_of_staff([claim.staff_id]).get(claim.staff_id, [])
    if teacher:
        subject = gettext("Your rest day on %(date)s needs the administrator again") % values
        body = (
            gettext(
                "The school published a new timetable. Your approved rest day on %(date)s now has duties "
                "that no colleague can cover automatically, so it is back with the administrator, who will "
                "decide. Your credit is kept until then."
            )
            % values
        )
        try:
            send_mail(subject, body, None, teacher)
        except Exception:
            logger.exception("Could not e-mail the teacher about reopened rest claim %s", claim_id)
    _notify_admins(claim_id)


@dataclass(frozen=True)
class Recovered:
    """What a re-published timetable did to the approved rest days from its first new day."""

    recovered: list[RestClaim]
    reopened: list[RestClaim]


def rest_claims_recover(*, school, since: date, until: date | None = None) -> Recovered:
    """Cover again the approved rest days of ``school`` from ``since`` on (to ``until``, both
    inclusive; None leaves that end open), after publishing.

    Re-publishing rewrites the sessions from ``since`` on, and the covers of approved claims
    go with the old sessions. Each such claim, in date order, is covered again with the cover
    engine on the new sessions. When every duty of the claimant that day is covered the claim
    stays approved with its new covers (the substitutes are e-mailed); otherwise nothing is
    handed over, the claim returns to the administrator (``pending``, ``reopened_at`` set, the
    duties no one can cover in ``uncovered``) and the teacher and the administrators are
    e-mailed. The credit stays spent while the claim is pending. Call it inside the publishing
    transaction, once the new sessions are written.
    """
    _lock_school(school.pk)
    now = timezone.now()
    recovered, reopened = [], []
    claims = RestClaim.objects.filter(
        staff__school=school, status=RestClaim.Status.APPROVED, date__gte=since
    ).select_related("staff", "staff__school")
    if until is not None:
        claims = claims.filter(date__lte=until)
    for claim in claims.order_by("date", "pk"):
        moves, uncovered = _plan_cover(claim)
        if not uncovered:
            ids = [item.pk for item in _hand_over(claim, moves)]
            claim.uncovered = []
            claim.save(update_fields=["uncovered"])
            if ids:
                transaction.on_commit(lambda ids=ids: _notify_substitutes(ids))
            recovered.append(claim)
            continue
        claim.status = RestClaim.Status.PENDING
        claim.uncovered = uncovered
        claim.automatic = False
        claim.reopened_at = now
        claim.decided_by, claim.decided_at, claim.decision_note = None, None, ""
        claim.save(
            update_fields=[
                "status",
                "uncovered",
                "automatic",
                "reopened_at",
                "decided_by",
                "decided_at",
                "decision_note",
            ]
        )
        transaction.on_commit(lambda pk=claim.pk: _notify_reopened(pk))
        reopened.append(claim)
    return Recovered(recovered=recovered, reopened=reopened)


@transaction.atomic
def rest_policy_update(
    *,
    school,
    user,
    duties_per_credit: int,
    max_credits_per_term: int | None,
    expiry_month: int,
    expiry_day: int,
) -> RestPolicy:
    """Set the school's rest policy. Refused with ``RestError`` for a non-administrator or
    values out of range (the model's validators)."""
    if not _is_admin(user, school.pk):
        raise RestError(_("Only an administrator of the school sets its rest policy."), code="not_admin")
    # The first save stores the school's policy (reads show the defaults without a row).
    policy, _created = RestPolicy.objects.select_for_update().get_or_create(school=school)
    policy.duties_per_credit = duties_per_credit
    policy.max_credits_per_term = max_credits_per_term
    policy.expiry_month = expiry_month
    policy.expiry_day = expiry_day
    try:
        policy.full_clean()
    except ValidationError as error:
        raise RestError(" ".join(error.messages), code="invalid_policy") from error
    policy.save()
    return policy
