"""Taking attendance: the records of one dated session and its delivery; delegating a
session's register."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from people.roles.models import Membership, Role
from scheduling.attendance.models import AttendanceRecord, RegisterDelegation, SessionDelivery
from scheduling.attendance.selectors import can_delegate, can_take, roster_for
from scheduling.attendance.signals import session_delivered
from scheduling.timetables.models import DatedSession

STATUSES = {choice.value for choice in AttendanceRecord.Status}


class AttendanceError(DomainError):
    """Attendance that cannot be recorded (or a register that cannot be delegated);
    ``message`` is translated and fit to show the user, ``code`` is stable."""


def session_starts_at(dated_session: DatedSession) -> datetime:
    """The moment the session begins, in the project's time zone: its register opens then."""
    return datetime.combine(dated_session.date, dated_session.start, tzinfo=timezone.get_current_timezone())


def register_is_open(dated_session: DatedSession, *, now: datetime | None = None) -> bool:
    """Has the session started (so its register may be taken)?"""
    return (now if now is not None else timezone.now()) >= session_starts_at(dated_session)


@transaction.atomic
def attendance_record(
    *,
    dated_session: DatedSession,
    user,
    statuses: dict[int, str],
    note: str = "",
    notes: dict[int, str] | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> SessionDelivery:
    """Record who was at ``dated_session``; return its (new or existing) delivery.

    ``statuses`` maps the id of every child on the session's roster (``roster_for``) to
    ``present``, ``absent`` or ``excused``; ``notes`` optionally maps child ids to a note on
    that child, ``note`` is a note on the whole session. Refused with ``AttendanceError``,
    nothing written, when the user may not take the session (``not_allowed``), its run is
    not published (``not_published``), it has not started yet (``register_not_open``: the
    register opens at the session's start, never before), a child is not on the roster
    (``not_on_roster``) or one on the roster has no status (``status_missing``), or a status
    is not one of the three (``status_invalid``).

    The clock is ``now`` (default: the current time). Callers that work in whole days (the
    demo's history, tests) may pass ``today`` alone: the clock is then the end of that day.
    A register once taken may be corrected at any later time.

    Taking attendance again corrects the records in place (no duplicates). The first time,
    a ``SessionDelivery`` is written and ``session_delivered`` sent (inside this
    transaction); a correction keeps the delivery as it was and sends nothing.
    """
    if now is None:
        now = (
            datetime.combine(today, time.max, tzinfo=timezone.get_current_timezone())
            if today is not None
            else timezone.now()
        )
    notes = notes or {}
    # Lock the session so two takes of it (two tabs, a retry) are applied one after the other.
    session = (
        DatedSession.objects.select_for_update(of=("self",))
        .select_related("run", "slot", "school_class")
        .get(pk=dated_session.pk)
    )
    if not can_take(user, session):
        raise AttendanceError(_("You may not take attendance for this session."), code="not_allowed")
    if session.run.published_at is None:
        raise AttendanceError(_("This session is not part of a published timetable."), code="not_published")
    if not register_is_open(session, now=now):
        raise AttendanceError(
            _("The register opens when the session starts (%(date)s at %(start)s).")
            % {"date": session.date, "start": session.start.strftime("%H:%M")},
            code="register_not_open",
        )

    roster = {child.pk: child for child in roster_for(session)}
    try:
        wanted = {int(child_id): status for child_id, status in statuses.items()}
    except (TypeError, ValueError):
        raise AttendanceError(_("A child's id is not a number."), code="not_on_roster") from None
    strangers = sorted(set(wanted) - set(roster))
    if strangers:
        raise AttendanceError(
            _("These children are not on this session's roster: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in strangers)},
            code="not_on_roster",
        )
    missing = [child for pk, child in roster.items() if pk not in wanted]
    if missing:
        raise AttendanceError(
            _("Give an attendance status for every child on the roster; missing: %(names)s.")
            % {"names": ", ".join(child.name for child in missing)},
            code="status_missing",
        )
    for child_id, status in wanted.items():
        if status not in STATUSES:
            raise AttendanceError(
                _("“%(status)s” is not an attendance status (for %(name)s).")
                % {"status": status, "name": roster[child_id].name},
                code="status_invalid",
            )
    note = (note or "").strip()
    if len(note) > SessionDelivery._meta.get_field("note").max_length:
        raise AttendanceError(_("The note on the session is too long."), code="note_too_long")
    child_note_length = AttendanceRecord._meta.get_field("note").max_length
    for child_id, child_note in notes.items():
        if int(child_id) not in roster:
            raise AttendanceError(
                _("A note names a child who is not on this session's roster."), code="not_on_roster"
            )
        if len(child_note or "") > child_note_length:
            raise AttendanceError(
                _("The note on %(name)s is too long.") % {"name": roster[int(child_id)].name},
                code="note_too_long",
            )
    notes = {int(pk): (text or "").strip() for pk, text in notes.items()}

    existing = {record.child_id: record for record in AttendanceRecord.objects.filter(dated_session=session)}
    new_records = []
    for child_id, status in wanted.items():
        record = existing.get(child_id)
        child_note = notes.get(child_id, record.note if record else "")
        if record is None:
            new_records.append(
                AttendanceRecord(
                    dated_session=session,
                    child_id=child_id,
                    status=status,
                    recorded_by=user,
                    recorded_at=now,
                    note=child_note,
                )
            )
        elif record.status != status or record.note != child_note:
            record.status, record.note, record.recorded_by, record.recorded_at = status, child_note, user, now
            record.save(update_fields=["status", "note", "recorded_by", "recorded_at"])
    # One insert for the whole class: a register is written at once or not at all.
    AttendanceRecord.objects.bulk_create(new_records)

    delivery, created = SessionDelivery.objects.get_or_create(
        dated_session=session, defaults={"delivered_at": now, "recorded_by": user, "note": note}
    )
    if created:
        session_delivered.send(sender=SessionDelivery, dated_session=session)
    elif delivery.note != note:
        delivery.note = note
        delivery.save(update_fields=["note"])
    return delivery


@transaction.atomic
def register_delegate(*, dated_session: DatedSession, staff, user) -> RegisterDelegation:
    """Hand the register of ``dated_session`` to ``staff`` (a ``StaffMember``), or withdraw
    the last delegation with ``staff=None``; return the new log row.

    Only an administrator of the session's school may delegate (``not_allowed``); the staff
    member must belong to that school (``delegate_not_of_school``) and be able to sign in
    as a teacher (``delegate_without_login``). The delegate may take the register like the
    session's own teacher until another delegation replaces this one; those who always
    may take it (its teacher or vendor, the administrators) keep that right.
    """
    session = DatedSession.objects.select_for_update(of=("self",)).get(pk=dated_session.pk)
    if not can_delegate(user, session):
        raise AttendanceError(_("You may not delegate this session's register."), code="not_allowed")
    if staff is not None:
        if staff.school_id != session.school_id:
            raise AttendanceError(
                _("%(name)s is not on the staff of this school.") % {"name": staff.name},
                code="delegate_not_of_school",
            )
        if not Membership.objects.filter(role=Role.TEACHER, staff=staff).exists():
            raise AttendanceError(
                _("%(name)s has no teacher login and could not take the register.") % {"name": staff.name},
                code="delegate_without_login",
            )
    return RegisterDelegation.objects.create(
        dated_session=session, staff=staff, delegated_by=user, delegated_at=timezone.now()
    )
