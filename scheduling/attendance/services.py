"""Taking attendance: the records of one dated session and its delivery."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.attendance.models import AttendanceRecord, SessionDelivery
from scheduling.attendance.selectors import can_take, roster_for
from scheduling.attendance.signals import session_delivered
from scheduling.timetables.models import DatedSession

STATUSES = {choice.value for choice in AttendanceRecord.Status}


class AttendanceError(ValueError):
    """Attendance that cannot be recorded; ``message`` is translated and fit to show the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def attendance_record(
    *,
    dated_session: DatedSession,
    user,
    statuses: dict[int, str],
    note: str = "",
    notes: dict[int, str] | None = None,
    today: date | None = None,
) -> SessionDelivery:
    """Record who was at ``dated_session``; return its (new or existing) delivery.

    ``statuses`` maps the id of every child on the session's roster (``roster_for``) to
    ``present``, ``absent`` or ``excused``; ``notes`` optionally maps child ids to a note on
    that child, ``note`` is a note on the whole session. Refused with ``AttendanceError``,
    nothing written, when the user may not take the session, its run is not published, it
    is dated after ``today`` (default: the local date), a child is not on the roster or one
    on the roster is missing, or a status is not one of the three.

    Taking attendance again corrects the records in place (no duplicates). The first time,
    a ``SessionDelivery`` is written and ``session_delivered`` sent (inside this
    transaction); a correction keeps the delivery as it was and sends nothing.
    """
    today = today if today is not None else timezone.localdate()
    notes = notes or {}
    # Lock the session so two takes of it (two tabs, a retry) are applied one after the other.
    session = (
        DatedSession.objects.select_for_update(of=("self",))
        .select_related("run", "slot", "school_class")
        .get(pk=dated_session.pk)
    )
    if not can_take(user, session):
        raise AttendanceError(_("You may not take attendance for this session."))
    if session.run.published_at is None:
        raise AttendanceError(_("This session is not part of a published timetable."))
    if session.date > today:
        raise AttendanceError(
            _("The session on %(date)s has not happened yet; take attendance on the day.")
            % {"date": session.date}
        )

    roster = {child.pk: child for child in roster_for(session)}
    try:
        wanted = {int(child_id): status for child_id, status in statuses.items()}
    except (TypeError, ValueError):
        raise AttendanceError(_("A child's id is not a number.")) from None
    strangers = sorted(set(wanted) - set(roster))
    if strangers:
        raise AttendanceError(
            _("These children are not on this session's roster: %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in strangers)}
        )
    missing = [child for pk, child in roster.items() if pk not in wanted]
    if missing:
        raise AttendanceError(
            _("Give an attendance status for every child on the roster; missing: %(names)s.")
            % {"names": ", ".join(child.name for child in missing)}
        )
    for child_id, status in wanted.items():
        if status not in STATUSES:
            raise AttendanceError(
                _("“%(status)s” is not an attendance status (for %(name)s).")
                % {"status": status, "name": roster[child_id].name}
            )
    note = (note or "").strip()
    if len(note) > SessionDelivery._meta.get_field("note").max_length:
        raise AttendanceError(_("The note on the session is too long."))
    child_note_length = AttendanceRecord._meta.get_field("note").max_length
    for child_id, child_note in notes.items():
        if int(child_id) not in roster:
            raise AttendanceError(_("A note names a child who is not on this session's roster."))
        if len(child_note or "") > child_note_length:
            raise AttendanceError(
                _("The note on %(name)s is too long.") % {"name": roster[int(child_id)].name}
            )
    notes = {int(pk): (text or "").strip() for pk, text in notes.items()}

    now = timezone.now()
    existing = {record.child_id: record for record in AttendanceRecord.objects.filter(dated_session=session)}
    for child_id, status in wanted.items():
        record = existing.get(child_id)
        child_note = notes.get(child_id, record.note if record else "")
        if record is None:
            AttendanceRecord.objects.create(
                dated_session=session,
                child_id=child_id,
                status=status,
                recorded_by=user,
                recorded_at=now,
                note=child_note,
            )
        elif record.status != status or record.note != child_note:
            record.status, record.note, record.recorded_by, record.recorded_at = status, child_note, user, now
            record.save(update_fields=["status", "note", "recorded_by", "recorded_at"])

    delivery, created = SessionDelivery.objects.get_or_create(
        dated_session=session, defaults={"delivered_at": now, "recorded_by": user, "note": note}
    )
    if created:
        session_delivered.send(sender=SessionDelivery, dated_session=session)
    elif delivery.note != note:
        delivery.note = note
        delivery.save(update_fields=["note"])
    return delivery
