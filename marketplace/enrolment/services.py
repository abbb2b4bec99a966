"""Changes of enrolment: the school's window, families' plans, the allocation and places.

``window_save`` opens or edits a school's window for a term; ``plan_save`` records a child's
days, how many activities they want and their ranked choices, only while the window is open;
``allocation_apply`` turns a published timetable run's solution into enrolments.

Every way into a place — ranked allocation, late joining, promotion from a waiting list, a
school's move — goes through ``marketplace.enrolment.rules`` (one rule set, stable codes).
Every refusal here is an ``EnrolmentError`` with a ``code``.

Allocation rules:

* Each ``enrollments`` entry of the solution, child by child in rank order, becomes a
  *placed* enrolment (source ``allocation``, ``choice_rank`` = its rank in the child's plan,
  ``joined_on`` = the term's first day) if the rules admit it; entries naming a child without
  a plan this term, or an activity not among the child's choices, are ignored (the plan
  changed since the problem was assembled), and an entry the rules refuse (a seat held by a
  late joiner since, a cancelled activity, a clash) is not placed.
* A choice not placed goes on the activity's *waiting list* when the child holds fewer places
  than they want, or when it ranks better than a place they hold; never for an activity
  that is cancelled, closed to the child or meets on a day they go home. Waiting entries are
  written rank by rank, and within one rank children with fewer places first, then by a hash
  of (run, child): fair, and the same every time. Their order of creation is their order on
  the list. Seats the solution left free then go to the waiting list (``_fill``).
* Applying the run already applied changes nothing. Applying another run (a re-publish)
  replaces the allocation-source enrolments (placed and waiting) of the school's activities
  this term, but only before the term starts; once it has started those places are running
  and a different run is refused. Places held outside the allocation (late, promoted,
  moved) stay, and the assembled problem leaves the solver only the seats they leave.

Publishing a timetable runs ``enrolments_after_publish`` in its transaction (the receiver of
``scheduling.timetables.signals.timetable_published``): places of activities the published
timetable does not run are released (``enrolments_release_for_cancelled``, refunded through
``enrolment_withdrawn``), then the run is applied when the window has closed and the run's
problem had families' choices in it.

Once the places are allocated (and until the term's last day), ``enrolment_late_join``
enrols newcomers: it locks the activity row, serves the waiting list first, then places the
child while a seat is free, else lists them waiting. ``enrolment_withdraw`` frees a place
and serves the waiting list in the same transaction; ``enrolment_move`` is the school's move
of a child between activities. Promoted families are e-mailed once the change commits.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.weekdays import days_from_mask, mask_from_days
from marketplace.courses.models import Activity
from marketplace.courses.selectors import activities_open_to
from marketplace.enrolment import rules, selectors
from marketplace.enrolment.models import Choice, Enrolment, EnrolmentWindow, TermPlan
from marketplace.enrolment.selectors import WindowState, window_for, window_state
from marketplace.enrolment.signals import enrolment_withdrawn
from marketplace.households.models import Child
from people.roles.models import Membership, Role
from scheduling.timetables.assembly import key_pk

logger = logging.getLogger(__name__)


class EnrolmentError(DomainError):
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
        raise EnrolmentError(_("There is no term to open an enrolment window for."), code="no_term")
    if closes_at <= opens_at:
        raise EnrolmentError(_("The window must close after it opens."), code="window_dates")
    if max_choices < 1 or max_activities < 1:
        raise EnrolmentError(
            _("A family must be able to rank at least one activity and take at least one."),
            code="window_limits",
        )
    if max_activities > max_choices:
        raise EnrolmentError(
            _("A child cannot take more activities than they may rank."), code="window_limits"
        )
    window = EnrolmentWindow.objects.select_for_update().filter(school=school, term=term).first()
    if window is not None and window.allocated_run_id is not None:
        raise EnrolmentError(
            _("The places of this window have been allocated; it can no longer change."),
            code="window_allocated",
        )
    if window is None:
        window = EnrolmentWindow(school=school, term=term)
    window.opens_at = opens_at
    window.closes_at = closes_at
    window.max_choices = max_choices
    window.max_activities = max_activities
    window.save()
    return window


@transaction.atomic
def plan_save(
    *, child: Child, term, user, days, wants: int, activity_ids_in_rank_order, now=None
) -> TermPlan:
    """Record the child's plan for ``term``: after-school ``days`` (weekday numbers, within
    the class's days), ``wants`` activities, and the ranked activity ids (first = most wanted).

    Only while the school's window is open. Each activity must be open to the child's class
    this term (same school, the child's grade); no activity twice; at most the window's
    ``max_choices``; ``1 ≤ wants ≤ min(number of choices, max_activities)`` (``wants`` is 0
    only with no choices: the child stays for supervision only). The previous choices are
    replaced as a whole. ``user`` is the parent acting (checked by the caller's access helper).
    ``now`` is the moment of the choice (default: the clock; the demo's history passes its own).
    """
    school_class = child.school_class
    window = window_for(school=school_class.school, term=term)
    state = window_state(window, now=now)
    if state is None:
        raise EnrolmentError(_("The school has not opened enrolment for this term."), code="no_window")
    if state != WindowState.OPEN:
        raise EnrolmentError(
            _("Choices can be made only while the window is open, from %(opens)s to %(closes)s.")
            % {"opens": _when(window.opens_at), "closes": _when(window.closes_at)},
            code="window_not_open",
        )

    try:
        day_set = {int(day) for day in days}
    except (TypeError, ValueError):
        raise EnrolmentError(_("The days are not weekdays."), code="days_invalid") from None
    if not day_set:
        raise EnrolmentError(_("Choose at least one day on which the child stays."), code="no_days")
    outside = day_set - set(days_from_mask(school_class.days))
    if outside:
        raise EnrolmentError(
            _("The child can stay only on the days their class takes part in after-school service."),
            code="day_not_in_class",
        )

    try:
        ids = [int(pk) for pk in activity_ids_in_rank_order]
    except (TypeError, ValueError):
        raise EnrolmentError(_("The choices are not activities."), code="choices_invalid") from None
    if len(ids) != len(set(ids)):
        raise EnrolmentError(_("Each activity can be ranked only once."), code="choice_twice")
    if len(ids) > window.max_choices:
        raise EnrolmentError(
            _("At most %(count)s activities can be ranked.") % {"count": window.max_choices},
            code="too_many_choices",
        )
    open_ids = set(activities_open_to(school_class=school_class, term=term).values_list("pk", flat=True))
    if any(pk not in open_ids for pk in ids):
        raise EnrolmentError(
            _("One of the choices is not an activity open to class %(class)s this term.")
            % {"class": school_class.code},
            code="not_open_to_class",
        )
    if not isinstance(wants, int) or wants < 0:
        raise EnrolmentError(_("Say how many activities the child wants."), code="wants_invalid")
    if ids and wants < 1:
        raise EnrolmentError(
            _("The child must want at least one of the ranked activities."), code="wants_invalid"
        )
    if wants > window.max_activities:
        raise EnrolmentError(
            _("A child can take at most %(count)s activities.") % {"count": window.max_activities},
            code="wants_over_limit",
        )
    if wants > len(ids):
        raise EnrolmentError(
            _("The child cannot want more activities than are ranked."), code="wants_invalid"
        )

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


# A waiting child refused only for one of these can still be served by giving up a worse place.
_SWAPPABLE = ("clash", "wants_reached", "max_activities_reached")


@transaction.atomic
def allocation_apply(*, run, today=None) -> dict:
    """Create the enrolments of the published ``run`` (see the module docstring for the rules).

    Returns ``{"placed": n, "waiting": m, "changed": bool}`` (``placed`` counts the places
    the solution gave, ``waiting`` the waiting entries written). Refused (``EnrolmentError``)
    when the run is not published (``not_published``), the school has no window for the term
    (``no_window``), the window is still open (``window_open``), or another run's places
    have already started (``allocation_running``).
    """
    with rules.remembering():
        return _allocation_apply(run=run, today=today or timezone.localdate())


def _allocation_apply(*, run, today) -> dict:
    if run.published_at is None or not isinstance(run.solution, dict):
        raise EnrolmentError(_("Only a published timetable can allocate places."), code="not_published")
    school, term = run.school, run.term
    window = EnrolmentWindow.objects.select_for_update().filter(school=school, term=term).first()
    if window is None:
        raise EnrolmentError(_("The school has no enrolment window for this term."), code="no_window")
    if timezone.now() < window.closes_at:
        raise EnrolmentError(
            _("Places are allocated only after the enrolment window closes."), code="window_open"
        )
    if window.allocated_run_id == run.pk:
        return {"placed": 0, "waiting": 0, "changed": False}
    if window.allocated_run_id is not None and today >= term.start:
        raise EnrolmentError(
            _("The term has started with the places already allocated; they are not allocated again."),
            code="allocation_running",
        )

    activities = {a.pk: a for a in Activity.objects.filter(school=school, term=term).select_related("term")}
    Enrolment.objects.filter(
        activity_id__in=activities,
        source=Enrolment.Source.ALLOCATION,
        status__in=[Enrolment.Status.PLACED, Enrolment.Status.WAITING],
    ).delete()

    plans = {
        plan.child_id: plan
        for plan in TermPlan.objects.filter(term=term, child__school_class__school=school)
        .select_related("child__school_class")
        .prefetch_related("choices")
    }
    ranks = {
        child_pk: {c.activity_id: c.rank for c in plan.choices.all()} for child_pk, plan in plans.items()
    }
    proposed: dict[int, set[int]] = {child_pk: set() for child_pk in plans}
    for entry in run.solution.get("enrollments") or []:
        if not isinstance(entry, dict):
            continue
        child_pk, activity_pk = key_pk(entry.get("student"), "s"), key_pk(entry.get("activity"), "a")
        if child_pk in ranks and activity_pk in ranks[child_pk] and activity_pk in activities:
            proposed[child_pk].add(activity_pk)

    # The solution's places, each through the same rules as every other way in (a place
    # held outside the allocation may have taken the seat or the time since the solve).
    placed: dict[int, set[int]] = {child_pk: set() for child_pk in plans}
    for child_pk in sorted(proposed):
        child = plans[child_pk].child
        for activity_pk in sorted(proposed[child_pk], key=lambda pk, c=child_pk: ranks[c][pk]):
            activity = activities[activity_pk]
            if rules.broken_rule(
                child=child, activity=activity, today=today, purpose=rules.Purpose.ALLOCATION, window=window
            ):
                continue
            Enrolment.objects.create(
                child_id=child_pk,
                activity_id=activity_pk,
                status=Enrolment.Status.PLACED,
                source=Enrolment.Source.ALLOCATION,
                choice_rank=ranks[child_pk][activity_pk],
                joined_on=term.start,
            )
            placed[child_pk].add(activity_pk)

    waiting = []
    for child_pk, plan in plans.items():
        got = placed[child_pk]
        worst = max((ranks[child_pk][pk] for pk in got), default=None)
        for activity_pk, rank in ranks[child_pk].items():
            if activity_pk in got or activity_pk not in activities:
                continue
            if not (len(got) < plan.wants or (worst is not None and rank < worst)):
                continue
            broken = rules.broken_rule(
                child=plan.child,
                activity=activities[activity_pk],
                today=today,
                purpose=rules.Purpose.ALLOCATION,
                window=window,
            )
            # Waiting makes sense only where a seat could one day be theirs: not in a cancelled
            # activity, nor one meeting on a day the child goes home.
            if broken is not None and broken.code not in (*_SWAPPABLE, "full"):
                continue
            waiting.append((rank, len(got), _fairness(run.pk, child_pk), child_pk, activity_pk))
    waiting.sort()
    # One by one, so the primary keys (the waiting order) follow the list above.
    for rank, _n, _key, child_pk, activity_pk in waiting:
        Enrolment.objects.create(
            child_id=child_pk,
            activity_id=activity_pk,
            status=Enrolment.Status.WAITING,
            source=Enrolment.Source.ALLOCATION,
            choice_rank=rank,
            joined_on=term.start,
        )

    window.allocated_run = run
    window.allocated_at = timezone.now()
    window.save(update_fields=["allocated_run", "allocated_at", "updated_at"])
    # Seats the solution left free go to the waiting list now, before any late joiner.
    _fill(list(activities.values()), today=today)
    return {"placed": sum(len(got) for got in placed.values()), "waiting": len(waiting), "changed": True}


def allocation_after_publish(*, run, today=None) -> dict | None:
    """Allocate from ``run`` when the school's window for the term has closed, the run's
    problem carried families' choices (or no family made any: the allocation is then empty
    and opens late joining), and the places are not already running from another run.
    Otherwise does nothing (None)."""
    window = EnrolmentWindow.objects.filter(school_id=run.school_id, term_id=run.term_id).first()
    if window is None or timezone.now() < window.closes_at:
        return None
    has_plans = TermPlan.objects.filter(
        term_id=run.term_id, child__school_class__school_id=run.school_id
    ).exists()
    if has_plans and not (run.problem or {}).get("students"):
        return None
    if window.allocated_run_id not in (None, run.pk) and timezone.localdate() >= run.term.start:
        return None
    return allocation_apply(run=run, today=today)


def enrolments_after_publish(*, run, today=None) -> dict | None:
    """Run by publishing inside its transaction, after the dated sessions are written
    (``receivers.places_after_publish``): release the places of every activity the published
    timetable no longer runs (see ``enrolments_release_for_cancelled``), then allocate
    (``allocation_after_publish``)."""
    today = today or timezone.localdate()
    with rules.remembering():
        return _enrolments_after_publish(run=run, today=today)


def _enrolments_after_publish(*, run, today) -> dict | None:
    live = (
        Activity.objects.filter(
            school_id=run.school_id, term_id=run.term_id, enrolments__status__in=selectors.LIVE_STATUSES
        )
        .select_related("term")
        .distinct()
    )
    for activity in live:
        if rules.cancellation(activity, today) is not None:
            enrolments_release_for_cancelled(activity=activity, today=today)
    return allocation_after_publish(run=run, today=today)


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
        return Activity.objects.select_related("term").get(pk=activity.pk)
    return Activity.objects.select_for_update().select_related("term").get(pk=activity.pk)


def _leave(enrolment: Enrolment, *, today, because: str) -> None:
    """Withdraw a live enrolment and tell the ledger (which refunds what is still held)."""
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.left_on = today
    enrolment.left_because = because
    enrolment.save(update_fields=["status", "left_on", "left_because", "updated_at"])
    enrolment_withdrawn.send(sender=Enrolment, enrolment=enrolment)


def _promote(waiting: Enrolment, *, today) -> Activity | None | bool:
    """Give ``waiting`` its seat if the rules allow it now. Returns False when the child is
    skipped (left waiting: a rule refuses them), True when placed, or the activity whose
    place the child gave up for this better-ranked one (a seat freed there)."""
    activity = waiting.activity
    broken = rules.broken_rule(
        child=waiting.child,
        activity=activity,
        today=today,
        purpose=rules.Purpose.PROMOTION,
        promoting=waiting,
    )
    give_up = None
    if broken is not None:
        if broken.code not in _SWAPPABLE or waiting.choice_rank is None:
            return False
        # Waiting for a better choice than a place held: trade the worse place for this one.
        if broken.code == "clash":
            give_up = rules.clashing_place(child=waiting.child, activity=activity, today=today)
        else:
            give_up = (
                rules.placed_elsewhere(child=waiting.child, term=activity.term)
                .filter(choice_rank__gt=waiting.choice_rank)
                .order_by("-choice_rank", "pk")
                .first()
            )
        if give_up is None or give_up.choice_rank is None or give_up.choice_rank <= waiting.choice_rank:
            return False
        if rules.broken_rule(
            child=waiting.child,
            activity=activity,
            today=today,
            purpose=rules.Purpose.PROMOTION,
            promoting=waiting,
            give_up=give_up,
        ):
            return False
        _leave(give_up, today=today, because=Enrolment.LeftBecause.MOVED)
    waiting.status = Enrolment.Status.PLACED
    waiting.source = Enrolment.Source.WAITING_LIST
    waiting.joined_on = today
    waiting.save(update_fields=["status", "source", "joined_on", "updated_at"])
    transaction.on_commit(lambda row=waiting: _notify_promoted(row))
    return give_up.activity if give_up is not None else True


def _fill(activities, *, today) -> list[Enrolment]:
    """Serve the waiting lists of ``activities``: while an activity has a free seat, promote
    its waiting children in order (created, then pk), skipping those the rules refuse now
    (they stay waiting). A promotion that trades a worse place frees a seat elsewhere, whose
    list is served in turn. Returns the promoted enrolments."""
    queue = [a.pk for a in activities]
    promoted: list[Enrolment] = []
    while queue:
        activity = _lock(Activity(pk=queue.pop(0)))
        for waiting in selectors.waiting_of(activity):
            if selectors.placed_count(activity) >= activity.max_size:
                break
            waiting.activity = activity
            outcome = _promote(waiting, today=today)
            if outcome is False:
                continue
            promoted.append(waiting)
            if isinstance(outcome, Activity) and outcome.pk not in queue:
                queue.append(outcome.pk)
    return promoted


def _waiting_activities_of(children) -> list[Activity]:
    return list(
        Activity.objects.filter(
            enrolments__child__in=children, enrolments__status=Enrolment.Status.WAITING
        ).distinct()
    )


@transaction.atomic
def enrolment_late_join(*, child: Child, activity: Activity, user, today=None) -> Enrolment:
    """Enrol ``child`` in ``activity`` after the places have been allocated.

    Every rule of ``marketplace.enrolment.rules`` applies (``Purpose.LATE``); a refusal
    raises ``EnrolmentError`` with the rule's code and writes nothing. The activity's waiting
    list is served first (every child on it the rules allow is promoted); then the child is
    placed (status ``placed``, source ``late``, ``joined_on`` = ``today``) if a seat is still
    free, else listed waiting (same source and date). Returns the new enrolment.

    The activity row is locked (``select_for_update``) before counting, so concurrent joins
    into one activity never overbook it. ``user`` is the parent acting (checked by the
    caller's access helper).
    """
    today = today or timezone.localdate()
    activity = _lock(activity)
    broken = rules.broken_rule(child=child, activity=activity, today=today, purpose=rules.Purpose.LATE)
    if broken is not None and broken.code != "full":
        raise EnrolmentError(broken.message, code=broken.code)

    _fill([activity], today=today)
    placed = selectors.placed_count(activity)
    _after_count()
    plan = selectors.plan_for(child=child, term=activity.term)
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
            % {"child": child.name, "activity": activity.name},
            code="already_enrolled",
        ) from None
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, user, today=None) -> list[Enrolment]:
    """Withdraw a placed or waiting enrolment (status ``withdrawn``, ``left_on`` = ``today``,
    ``left_because`` = family) and send ``enrolment_withdrawn`` (the ledger refunds).

    Then the waiting lists are served (see ``_fill``): the activity's, where a seat freed, and
    those the child still waits on (a place given up may end a clash or a limit). Promoted
    children become ``placed`` with source ``waiting_list`` and ``joined_on`` = ``today``;
    their families are e-mailed once the transaction commits. Returns the promoted enrolments.

    Refused (``EnrolmentError``, code ``already_withdrawn``) when the enrolment is not live.
    ``user`` is the parent acting (checked by the caller's access helper).
    """
    today = today or timezone.localdate()
    activity = _lock(enrolment.activity)
    current = Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    if current is None or current.status not in selectors.LIVE_STATUSES:
        raise EnrolmentError(_("This enrolment has already been withdrawn."), code="already_withdrawn")
    _leave(current, today=today, because=Enrolment.LeftBecause.FAMILY)
    enrolment.status, enrolment.left_on = current.status, current.left_on
    enrolment.left_because = current.left_because
    return _fill([activity, *_waiting_activities_of([current.child_id])], today=today)


@transaction.atomic
def enrolments_release_for_cancelled(*, activity: Activity, today=None) -> list[Enrolment]:
    """Release every live enrolment of a cancelled ``activity``: placed and waiting children
    are withdrawn (``left_on`` = ``today``, ``left_because`` = cancelled) with
    ``enrolment_withdrawn`` sent for each, so the ledger refunds what is still held; the
    families are e-mailed once the transaction commits. The released children's other waiting
    lists are then served (the place that clashed or filled their limit is gone).
    Returns the released enrolments."""
    today = today or timezone.localdate()
    activity = _lock(activity)
    released = list(
        # Only the enrolment rows are locked: PostgreSQL refuses FOR UPDATE on the nullable
        # side of the outer join to the household.
        Enrolment.objects.select_for_update(of=("self",))
        .filter(activity=activity, status__in=selectors.LIVE_STATUSES)
        .select_related("child", "child__household", "activity")
        .order_by("pk")
    )
    for enrolment in released:
        was_placed = enrolment.status == Enrolment.Status.PLACED
        _leave(enrolment, today=today, because=Enrolment.LeftBecause.CANCELLED)
        if was_placed:
            transaction.on_commit(lambda row=enrolment: _notify_cancelled(row))
    _fill(_waiting_activities_of([e.child_id for e in released]), today=today)
    return released


@transaction.atomic
def enrolment_move(*, enrolment: Enrolment, activity: Activity, user, today=None) -> Enrolment:
    """The school moves a placed child from ``enrolment``'s activity into ``activity``.

    The same rules as any other way in apply (``Purpose.MOVE``: the place given up does not
    count for clashes or limits; a full activity is refused, ``full``). The old place is
    withdrawn (``left_because`` = moved, the ledger refunds what it still holds), the new one
    is placed (source ``move``, ``joined_on`` = ``today``, the plan's rank if it was ranked),
    and the freed seat goes to the old activity's waiting list. Refused with ``not_placed``
    when the enrolment is not a place, ``same_activity`` when it is already that activity.
    ``user`` is the school administrator acting (checked by the caller's access helper).
    """
    today = today or timezone.localdate()
    current = Enrolment.objects.select_for_update().select_related("child__school_class").get(pk=enrolment.pk)
    if current.status != Enrolment.Status.PLACED:
        raise EnrolmentError(_("Only a child's place can be moved."), code="not_placed")
    if current.activity_id == activity.pk:
        raise EnrolmentError(_("The child already has a place in this activity."), code="same_activity")
    origin = _lock(current.activity)
    activity = _lock(activity)
    # Those already waiting for the target are served before the school's move.
    _fill([activity], today=today)
    own_waiting = Enrolment.objects.filter(
        child=current.child, activity=activity, status=Enrolment.Status.WAITING
    ).first()
    rules.check(
        child=current.child,
        activity=activity,
        today=today,
        purpose=rules.Purpose.MOVE,
        give_up=current,
        promoting=own_waiting,
    )
    _leave(current, today=today, because=Enrolment.LeftBecause.MOVED)
    plan = selectors.plan_for(child=current.child, term=activity.term)
    rank = plan.choices.filter(activity=activity).values_list("rank", flat=True).first() if plan else None
    if own_waiting is not None:  # the child's own waiting entry becomes the place
        own_waiting.delete()
    moved = Enrolment.objects.create(
        child=current.child,
        activity=activity,
        status=Enrolment.Status.PLACED,
        source=Enrolment.Source.MOVE,
        choice_rank=rank,
        joined_on=today,
    )
    _fill([origin, *_waiting_activities_of([current.child_id])], today=today)
    return moved


def _parent_emails(household) -> list[str]:
    if household is None:
        return []
    emails = (
        Membership.objects.filter(role=Role.PARENT, household=household)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def _notify_cancelled(enrolment: Enrolment) -> None:
    """E-mail the family that their child's activity was cancelled and the place released."""
    recipients = _parent_emails(enrolment.child.household)
    if not recipients:
        return
    values = {"child": enrolment.child.name, "activity": enrolment.activity.name}
    subject = gettext("%(activity)s is cancelled") % values
    body = (
        gettext(
            "%(activity)s has been cancelled, so %(child)s's place in it is released. What was "
            "paid for its sessions still to come is refunded."
        )
        % values
    )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the release is committed; a mail failure must not undo or hide it
        logger.exception("Could not e-mail the family of enrolment %s", enrolment.pk)


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
