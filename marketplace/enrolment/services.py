"""Changes of enrolment: the school's window, families' plans, and the allocation.

``window_save`` opens or edits a school's window for a term; ``plan_save`` records a child's
days, how many activities they want and their ranked choices, only while the window is open;
``allocation_apply`` turns a published timetable run's solution into enrolments.

Allocation rules (kept simple on purpose):

* Every ``enrollments`` entry of the solution becomes a *placed* enrolment (source
  ``allocation``, ``choice_rank`` = its rank in the child's plan, ``joined_on`` = the term's
  first day). Entries naming a child without a plan this term, or an activity not among the
  child's choices, are ignored (the plan changed since the problem was assembled).
* A choice not placed goes on the activity's *waiting list* when the child holds fewer places
  than they want, or when it ranks better than a place they hold; never for an activity the
  solution cancelled. Waiting entries are written rank by rank, and within one rank children
  with fewer places first, then by a hash of (run, child): fair, and the same every time.
  Their order of creation is their order on the list.
* Applying the run already applied changes nothing. Applying another run (a re-publish)
  replaces the allocation-source enrolments (placed and waiting) of the school's activities
  this term, but only before the term starts; once it has started those places are running
  and a different run is refused (late joiners then enrol first-come).

``scheduling.timetables.publishing.run_publish`` calls ``allocation_after_publish`` in its
transaction, which applies the run when the window has closed and the run's problem had
families' choices in it.

After the window (and until the term's last day), ``enrolment_late_join`` enrols first-come:
it locks the activity row, counts the placed children and places the child while seats are
free, else lists them waiting. ``enrolment_withdraw`` frees a place and promotes the next
waiting child in the same transaction; their family is e-mailed once the change commits.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.weekdays import days_from_mask, mask_from_days
from marketplace.courses.models import Activity
from marketplace.courses.selectors import activities_open_to
from marketplace.enrolment import selectors
from marketplace.enrolment.models import Choice, Enrolment, EnrolmentWindow, TermPlan
from marketplace.enrolment.selectors import WindowState, window_for, window_state
from marketplace.enrolment.signals import enrolment_withdrawn
from marketplace.households.models import Child

logger = logging.getLogger(__name__)


class EnrolmentError(ValidationError):
    """A refused enrolment change; the message is translated and fit to show the user."""


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@transaction.atomic
def window_save(
    *, school, term, opens_at: datetime, closes_at: datetime, max_choices: int, max_activities: int
) -> EnrolmentWindow:
    """Open (create) or edit the school's enrolment window for ``term``.

    Refused once the window has been allocated, when it closes before it opens, or when the
    limits are not 1 ≤ max_activities ≤ max_choices.
    """
    if term is None:
        raise EnrolmentError(_("There is no term to open an enrolment window for."))
    if closes_at <= opens_at:
        raise EnrolmentError(_("The window must close after it opens."))
    if max_choices < 1 or max_activities < 1:
        raise EnrolmentError(_("A family must be able to rank at least one activity and take at least one."))
    if max_activities > max_choices:
        raise EnrolmentError(_("A child cannot take more activities than they may rank."))
    window = EnrolmentWindow.objects.select_for_update().filter(school=school, term=term).first()
    if window is not None and window.allocated_run_id is not None:
        raise EnrolmentError(_("The places of this window have been allocated; it can no longer change."))
    if window is None:
        window = EnrolmentWindow(school=school, term=term)
    window.opens_at = opens_at
    window.closes_at = closes_at
    window.max_choices = max_choices
    window.max_activities = max_activities
    window.save()
    return window


@transaction.atomic
def plan_save(*, child: Child, term, user, days, wants: int, activity_ids_in_rank_order) -> TermPlan:
    """Record the child's plan for ``term``: after-school ``days`` (weekday numbers, within
    the class's days), ``wants`` activities, and the ranked activity ids (first = most wanted).

    Only while the school's window is open. Each activity must be open to the child's class
    this term (same school, the child's grade); no activity twice; at most the window's
    ``max_choices``; ``1 ≤ wants ≤ min(number of choices, max_activities)`` (``wants`` is 0
    only with no choices: the child stays for supervision only). The previous choices are
    replaced as a whole. ``user`` is the parent acting (checked by the caller's access helper).
    """
    school_class = child.school_class
    window = window_for(school=school_class.school, term=term)
    state = window_state(window)
    if state is None:
        raise EnrolmentError(_("The school has not opened enrolment for this term."))
    if state != WindowState.OPEN:
        raise EnrolmentError(
            _("Choices can be made only while the window is open, from %(opens)s to %(closes)s.")
            % {"opens": _when(window.opens_at), "closes": _when(window.closes_at)}
        )

    try:
        day_set = {int(day) for day in days}
    except (TypeError, ValueError):
        raise EnrolmentError(_("The days are not weekdays.")) from None
    if not day_set:
        raise EnrolmentError(_("Choose at least one day on which the child stays."))
    outside = day_set - set(days_from_mask(school_class.days))
    if outside:
        raise EnrolmentError(
            _("The child can stay only on the days their class takes part in after-school service.")
        )

    try:
        ids = [int(pk) for pk in activity_ids_in_rank_order]
    except (TypeError, ValueError):
        raise EnrolmentError(_("The choices are not activities.")) from None
    if len(ids) != len(set(ids)):
        raise EnrolmentError(_("Each activity can be ranked only once."))
    if len(ids) > window.max_choices:
        raise EnrolmentError(_("At most %(count)s activities can be ranked.") % {"count": window.max_choices})
    open_ids = set(activities_open_to(school_class=school_class, term=term).values_list("pk", flat=True))
    if any(pk not in open_ids for pk in ids):
        raise EnrolmentError(
            _("One of the choices is not an activity open to class %(class)s this term.")
            % {"class": school_class.code}
        )
    if not isinstance(wants, int) or wants < 0:
        raise EnrolmentError(_("Say how many activities the child wants."))
    if ids and wants < 1:
        raise EnrolmentError(_("The child must want at least one of the ranked activities."))
    if wants > window.max_activities:
        raise EnrolmentError(
            _("A child can take at most %(count)s activities.") % {"count": window.max_activities}
        )
    if wants > len(ids):
        raise EnrolmentError(_("The child cannot want more activities than are ranked."))

    plan, _created = TermPlan.objects.select_for_update().get_or_create(
        child=child, term=term, defaults={"days": mask_from_days(day_set), "wants": wants}
    )
    plan.days = mask_from_days(day_set)
    plan.wants = wants
    plan.save()
    plan.choices.all().delete()
    Choice.objects.bulk_create(
        [Choice(plan=plan, activity_id=pk, rank=rank) for rank, pk in enumerate(ids, start=1)]
    )
    return plan


# --- allocation -----------------------------------------------------------------------------


def _fairness(run_pk: int, child_pk: int) -> str:
    return hashlib.sha256(f"{run_pk}:{child_pk}".encode()).hexdigest()


@transaction.atomic
def allocation_apply(*, run, today=None) -> dict:
    """Create the enrolments of the published ``run`` (see the module docstring for the rules).

    Returns ``{"placed": n, "waiting": m, "changed": bool}``. Refused (``EnrolmentError``)
    when the run is not published, the school has no window for the term, the window is still
    open, or another run's places have already started.
    """
    from scheduling.timetables.assembly import key_pk

    today = today or timezone.localdate()
    if run.published_at is None or not isinstance(run.solution, dict):
        raise EnrolmentError(_("Only a published timetable can allocate places."))
    school, term = run.school, run.term
    window = EnrolmentWindow.objects.select_for_update().filter(school=school, term=term).first()
    if window is None:
        raise EnrolmentError(_("The school has no enrolment window for this term."))
    if timezone.now() < window.closes_at:
        raise EnrolmentError(_("Places are allocated only after the enrolment window closes."))
    if window.allocated_run_id == run.pk:
        return {"placed": 0, "waiting": 0, "changed": False}
    if window.allocated_run_id is not None and today >= term.start:
        raise EnrolmentError(
            _("The term has started with the places already allocated; they are not allocated again.")
        )

    activities = Activity.objects.filter(school=school, term=term)
    Enrolment.objects.filter(
        activity__in=activities,
        source=Enrolment.Source.ALLOCATION,
        status__in=[Enrolment.Status.PLACED, Enrolment.Status.WAITING],
    ).delete()

    plans = {
        plan.child_id: plan
        for plan in TermPlan.objects.filter(term=term, child__school_class__school=school).prefetch_related(
            "choices"
        )
    }
    ranks = {
        child_pk: {c.activity_id: c.rank for c in plan.choices.all()} for child_pk, plan in plans.items()
    }
    placed: dict[int, set[int]] = {child_pk: set() for child_pk in plans}
    for entry in run.solution.get("enrollments") or []:
        if not isinstance(entry, dict):
            continue
        child_pk, activity_pk = key_pk(entry.get("student"), "s"), key_pk(entry.get("activity"), "a")
        if child_pk in ranks and activity_pk in ranks[child_pk]:
            placed[child_pk].add(activity_pk)

    cancelled = {key_pk(a, "a") for a in run.solution.get("cancelled") or []}
    rows = [
        Enrolment(
            child_id=child_pk,
            activity_id=activity_pk,
            status=Enrolment.Status.PLACED,
            source=Enrolment.Source.ALLOCATION,
            choice_rank=ranks[child_pk][activity_pk],
            joined_on=term.start,
        )
        for child_pk in sorted(placed)
        for activity_pk in sorted(placed[child_pk], key=lambda pk, c=child_pk: ranks[c][pk])
    ]
    waiting = []
    for child_pk, plan in plans.items():
        got = placed[child_pk]
        worst = max((ranks[child_pk][pk] for pk in got), default=None)
        for activity_pk, rank in ranks[child_pk].items():
            if activity_pk in got or activity_pk in cancelled:
                continue
            if len(got) < plan.wants or (worst is not None and rank < worst):
                waiting.append((rank, len(got), _fairness(run.pk, child_pk), child_pk, activity_pk))
    waiting.sort()
    rows += [
        Enrolment(
            child_id=child_pk,
            activity_id=activity_pk,
            status=Enrolment.Status.WAITING,
            source=Enrolment.Source.ALLOCATION,
            choice_rank=rank,
            joined_on=term.start,
        )
        for rank, _n, _key, child_pk, activity_pk in waiting
    ]
    # One by one, so the primary keys (the waiting order) follow the list above.
    for row in rows:
        row.save()

    window.allocated_run = run
    window.allocated_at = timezone.now()
    window.save(update_fields=["allocated_run", "allocated_at", "updated_at"])
    return {"placed": len(rows) - len(waiting), "waiting": len(waiting), "changed": True}


def allocation_after_publish(*, run) -> dict | None:
    """Called by ``run_publish`` (inside its transaction): allocate from ``run`` when the
    school's window for the term has closed, the run's problem carried families' choices, and
    the places are not already running from another run. Otherwise does nothing (None)."""
    window = EnrolmentWindow.objects.filter(school_id=run.school_id, term_id=run.term_id).first()
    if window is None or timezone.now() < window.closes_at:
        return None
    if not (run.problem or {}).get("students"):
        return None
    if window.allocated_run_id not in (None, run.pk) and timezone.localdate() >= run.term.start:
        return None
    return allocation_apply(run=run)


# --- after the window: late joiners, withdrawals, the waiting list ----------------------------

# Late joins and withdrawals lock the activity row so that counting the placed children and
# writing the new enrolment happen one request at a time per activity. The concurrency test
# turns this off for its control run (to show the overbooking it prevents); never elsewhere.
_LOCK_ACTIVITY = True


def _after_count() -> None:
    """Runs between counting the placed children and writing the enrolment. Does nothing;
    the concurrency test patches it to sleep, widening the race window on purpose."""


def _lock(activity: Activity) -> Activity:
    if not _LOCK_ACTIVITY:
        return Activity.objects.get(pk=activity.pk)
    return Activity.objects.select_for_update().get(pk=activity.pk)


@transaction.atomic
def enrolment_late_join(*, child: Child, activity: Activity, user, today=None) -> Enrolment:
    """Enrol ``child`` in ``activity`` first-come, after the school's window has closed.

    Places the child (status ``placed``, source ``late``, ``joined_on`` = ``today``) while the
    activity has fewer placed children than its ``max_size``; otherwise puts them on its
    waiting list (status ``waiting``, same source and date). Returns the new enrolment.

    Refused (``EnrolmentError``, nothing written) when the school has no window for the
    activity's term or it has not closed, the term is over, the activity is not open to the
    child's class (school, grade, term), the child already holds a placed or waiting
    enrolment in it, or the activity meets on a weekday outside the child's after-school days
    (the term plan's, else the child's within the class's). That last rule is skipped while
    the activity has no published meetings: its days are not known yet.

    The activity row is locked (``select_for_update``) before counting, so concurrent joins
    into one activity never overbook it. ``user`` is the parent acting (checked by the
    caller's access helper).
    """
    today = today or timezone.localdate()
    school_class = child.school_class
    term = activity.term
    window = window_for(school=school_class.school, term=term)
    if window is None:
        raise EnrolmentError(_("The school has not opened enrolment for this term."))
    if timezone.now() < window.closes_at:
        raise EnrolmentError(
            _("Late enrolment opens when the enrolment window closes, at %(closes)s.")
            % {"closes": _when(window.closes_at)}
        )
    if today > term.end:
        raise EnrolmentError(_("The term is over; no one can enrol in it any more."))
    if not activities_open_to(school_class=school_class, term=term).filter(pk=activity.pk).exists():
        raise EnrolmentError(
            _("%(activity)s is not open to class %(class)s this term.")
            % {"activity": activity.name, "class": school_class.code}
        )

    activity = _lock(activity)
    if Enrolment.objects.filter(child=child, activity=activity, status__in=selectors.LIVE_STATUSES).exists():
        raise EnrolmentError(
            _("%(child)s is already enrolled in %(activity)s or on its waiting list.")
            % {"child": child.name, "activity": activity.name}
        )
    meets = selectors.meeting_weekdays(activity=activity, today=today)
    stays = set(days_from_mask(selectors.plan_days_of(child=child, term=term)))
    if meets - stays:
        raise EnrolmentError(
            _("%(activity)s meets on days %(child)s does not stay for after-school service.")
            % {"activity": activity.name, "child": child.name}
        )

    placed = selectors.placed_count(activity)
    _after_count()
    plan = selectors.plan_for(child=child, term=term)
    rank = plan.choices.filter(activity=activity).values_list("rank", flat=True).first() if plan else None
    enrolment = Enrolment(
        child=child,
        activity=activity,
        status=Enrolment.Status.PLACED if placed < activity.max_size else Enrolment.Status.WAITING,
        source=Enrolment.Source.LATE,
        choice_rank=rank,
        joined_on=today,
    )
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        # Only reachable without the lock (two joins of one child at once): the database's
        # one-live-enrolment rule refused the second.
        raise EnrolmentError(
            _("%(child)s is already enrolled in %(activity)s or on its waiting list.")
            % {"child": child.name, "activity": activity.name}
        ) from None
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, user, today=None) -> list[Enrolment]:
    """Withdraw a placed or waiting enrolment (status ``withdrawn``, ``left_on`` = ``today``).

    When it held a place, the freed seats go to the activity's waiting list in order
    (created, then pk): each promoted enrolment becomes ``placed`` with source
    ``waiting_list`` and ``joined_on`` = ``today``, in this transaction, while placed
    children number fewer than ``max_size`` (normally one). Each promoted family's parents
    are e-mailed once the transaction commits. Returns the promoted enrolments.

    Refused (``EnrolmentError``) when the enrolment is already withdrawn. ``user`` is the
    parent acting (checked by the caller's access helper).
    """
    today = today or timezone.localdate()
    activity = _lock(enrolment.activity)
    current = Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    if current is None or current.status not in selectors.LIVE_STATUSES:
        raise EnrolmentError(_("This enrolment has already been withdrawn."))
    was_placed = current.status == Enrolment.Status.PLACED
    current.status = Enrolment.Status.WITHDRAWN
    current.left_on = today
    current.save(update_fields=["status", "left_on", "updated_at"])
    enrolment.status, enrolment.left_on = current.status, current.left_on
    # The money held for the sessions not yet delivered goes back to the family (ledger).
    enrolment_withdrawn.send(sender=Enrolment, enrolment=current)

    promoted = []
    if was_placed:
        while selectors.placed_count(activity) < activity.max_size:
            nxt = selectors.first_waiting(activity)
            if nxt is None:
                break
            nxt.status = Enrolment.Status.PLACED
            nxt.source = Enrolment.Source.WAITING_LIST
            nxt.joined_on = today
            nxt.save(update_fields=["status", "source", "joined_on", "updated_at"])
            promoted.append(nxt)
    for row in promoted:
        transaction.on_commit(lambda row=row: _notify_promoted(row))
    return promoted


def _parent_emails(household) -> list[str]:
    from people.roles.models import Membership, Role

    if household is None:
        return []
    emails = (
        Membership.objects.filter(role=Role.PARENT, household=household)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def _notify_promoted(enrolment: Enrolment) -> None:
    """E-mail the family that their child moved from the waiting list into a place."""
    recipients = _parent_emails(enrolment.child.household)
    if not recipients:
        return
    values = {
        "child": enrolment.child.name,
        "activity": enrolment.activity.name,
        "date": formats.date_format(enrolment.joined_on, "DATE_FORMAT"),
    }
    subject = gettext("A place for %(child)s in %(activity)s") % values
    body = (
        gettext(
            "A place in %(activity)s has become free and %(child)s has moved up from the waiting "
            "list. The place is %(child)s's from %(date)s."
        )
        % values
    )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the place is committed; a mail failure must not undo or hide it
        logger.exception("Could not e-mail the family of enrolment %s", enrolment.pk)
