"""Reads for attendance: who should be at a session, and which sessions a user may take.

Access follows ``DatedSession``'s teacher fields: a supervision or a staff-run activity is
taken by its ``staff`` member (the user's ``teacher`` membership names that staff record); a
vendor's activity (taught by one of its ``instructor``\\ s) by any ``vendor_member`` of the
activity's vendor. The administrators of the session's school may take any of its sessions
(supervised study and activities alike) and may delegate one session's register to a member
of their school's staff (``RegisterDelegation``: the latest row of the session decides).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from marketplace.enrolment.models import Enrolment, TermPlan
from marketplace.households.models import Child
from people.roles.access import roles_of, school_ids_for, vendor_ids_for
from people.roles.models import Membership, Role
from scheduling.attendance.models import AttendanceRecord, RegisterDelegation, SessionDelivery
from scheduling.staff.models import StaffMember
from scheduling.timetables.models import DatedSession

# How far back the "to take" list looks for sessions whose attendance is still missing.
CATCH_UP_DAYS = 7


def roster_for(dated_session: DatedSession) -> list[Child]:
    """The children who should be at ``dated_session``, ordered by class and name.

    * An activity meeting: the children with a *placed* enrolment in the activity who had
      joined by the session's date (``joined_on`` ≤ date) and had not left (``left_on``
      empty or after the date).
    * A supervision: the pupils of the class whose term plan (for the session's term) has
      the session's weekday among its days; a pupil without a plan follows the class's
      days. The weekday is the slot's, not the date's: a make-up working day follows the
      timetable of the weekday it names. A pupil who left supervised study on or before the
      date (``TermPlan.study_left_on``) is not on it.
    """
    day = dated_session.date
    if dated_session.kind == DatedSession.Kind.MEETING:
        placed = Enrolment.objects.filter(
            activity_id=dated_session.activity_id, status=Enrolment.Status.PLACED, joined_on__lte=day
        ).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        return list(
            Child.objects.filter(pk__in=placed.values("child_id"))
            .select_related("school_class")
            .order_by("school_class__grade", "school_class__number", "name", "pk")
        )

    weekday = dated_session.slot.weekday
    bit = 1 << weekday
    school_class = dated_session.school_class
    plans = {}
    left = set()
    # No ordering: the plans go into a dict, and the default ordering joins four tables.
    for plan in TermPlan.objects.filter(
        term_id=dated_session.term_id, child__school_class=school_class
    ).order_by():
        plans[plan.child_id] = plan.days
        if plan.study_left_on is not None and plan.study_left_on <= day:
            left.add(plan.child_id)
    pupils = (
        Child.objects.filter(school_class=school_class).select_related("school_class").order_by("name", "pk")
    )
    return [
        child for child in pupils if child.pk not in left and plans.get(child.pk, school_class.days) & bit
    ]


def _taking_filter(user, *, admins: bool) -> Q | None:
    """The sessions ``user`` may take, as a filter; None when they may take none."""
    staff_ids = {m.staff_id for m in roles_of(user, Role.TEACHER) if m.staff_id}
    vendor_ids = vendor_ids_for(user)
    school_ids = school_ids_for(user) if admins else set()
    if not (staff_ids or vendor_ids or school_ids):
        return None
    condition = Q(pk__in=[])
    if staff_ids:
        condition |= Q(staff_id__in=staff_ids)
        condition |= Q(pk__in=_delegated_to(staff_ids))
    if vendor_ids:
        condition |= Q(instructor__isnull=False, activity__vendor_id__in=vendor_ids)
    if school_ids:
        condition |= Q(school_id__in=school_ids)
    return condition


def _delegated_to(staff_ids) -> QuerySet:
    """Ids of the sessions whose current (latest) delegation names one of ``staff_ids``."""
    latest = RegisterDelegation.objects.filter(dated_session=OuterRef("dated_session")).order_by(
        "-delegated_at", "-pk"
    )
    return RegisterDelegation.objects.filter(
        staff_id__in=staff_ids, pk=Subquery(latest.values("pk")[:1])
    ).values("dated_session_id")


def current_delegation(dated_session: DatedSession) -> RegisterDelegation | None:
    """The latest delegation of the session's register, if it names someone (else None)."""
    latest = (
        RegisterDelegation.objects.filter(dated_session=dated_session)
        .select_related("staff", "delegated_by")
        .order_by("-delegated_at", "-pk")
        .first()
    )
    return latest if latest is not None and latest.staff_id is not None else None


def delegations_of(dated_session: DatedSession) -> list[RegisterDelegation]:
    """Every delegation of the session's register, newest first (the log)."""
    return list(
        RegisterDelegation.objects.filter(dated_session=dated_session)
        .select_related("staff", "delegated_by")
        .order_by("-delegated_at", "-pk")
    )


def can_delegate(user, dated_session: DatedSession) -> bool:
    """Only the administrators of the session's school hand its register to someone."""
    return dated_session.school_id in school_ids_for(user)


def session_for_admin_or_404(user, session_id: int) -> DatedSession:
    """A session of one of the user's schools (as its administrator); 404 otherwise."""
    school_ids = school_ids_for(user)
    session = _sessions().filter(pk=session_id, school_id__in=school_ids).first() if school_ids else None
    if session is None:
        raise Http404("No such session for this account")
    return session


def delegable_staff(dated_session: DatedSession):
    """Staff of the session's school who can sign in as a teacher, by name."""
    with_login = Membership.objects.filter(role=Role.TEACHER, staff_id=OuterRef("pk"))
    return (
        StaffMember.objects.filter(school_id=dated_session.school_id)
        .filter(Exists(with_login))
        .order_by("name", "pk")
    )


def school_sessions_of_day(user, *, day: date) -> list[DatedSession]:
    """Every published session of ``day`` at the schools the user administers, by time.

    Empty when the user administers no school (their other sessions are listed by
    ``sessions_to_take``).
    """
    school_ids = school_ids_for(user)
    if not school_ids:
        return []
    return list(
        _sessions()
        .filter(school_id__in=school_ids, date=day, run__published_at__isnull=False)
        .order_by("start", "kind", "school_class__grade", "school_class__number", "pk")
    )


def is_taker(user) -> bool:
    """Does ``user`` take registers at all (teacher, vendor member or school administrator)?"""
    return _taking_filter(user, admins=True) is not None


def _sessions() -> QuerySet[DatedSession]:
    return DatedSession.objects.select_related(
        "school", "term", "run", "slot", "school_class", "activity", "staff", "instructor", "room"
    ).annotate(delivered=Exists(SessionDelivery.objects.filter(dated_session=OuterRef("pk"))))


def can_take(user, dated_session: DatedSession) -> bool:
    """May ``user`` take attendance for ``dated_session``? (teacher, vendor member, admin)"""
    condition = _taking_filter(user, admins=True)
    return condition is not None and DatedSession.objects.filter(condition, pk=dated_session.pk).exists()


def session_for_taker_or_404(user, session_id: int) -> DatedSession:
    """The dated session, when ``user`` may take its attendance; 404 otherwise."""
    condition = _taking_filter(user, admins=True)
    if condition is None:
        raise Http404("No such session for this account")
    session = _sessions().filter(condition, pk=session_id).first()
    if session is None:
        raise Http404("No such session for this account")
    return session


def sessions_to_take(user, *, today: date) -> list[DatedSession]:
    """The signed-in teacher's or vendor member's sessions of ``today`` (their own and those
    delegated to them), and those of the previous ``CATCH_UP_DAYS`` days whose attendance
    has not been taken, oldest first. Empty for a user with neither role.

    School administrators see every session of their school through
    ``school_sessions_of_day``.
    """
    condition = _taking_filter(user, admins=False)
    if condition is None:
        return []
    sessions = _sessions().filter(condition, run__published_at__isnull=False)
    return list(
        sessions.filter(
            Q(date=today)
            | Q(date__gte=today - timedelta(days=CATCH_UP_DAYS), date__lt=today, delivered=False)
        ).order_by("date", "start", "pk")
    )


def records_for(dated_session: DatedSession) -> dict[int, AttendanceRecord]:
    """The session's attendance records by child id (empty before attendance is taken)."""
    return {
        record.child_id: record for record in AttendanceRecord.objects.filter(dated_session=dated_session)
    }
