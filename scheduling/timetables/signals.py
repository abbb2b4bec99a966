"""Signals through which apps on higher floors take part in timetabling, and the replies their
receivers send back.

Timetables sits below enrolment and rest, so it never imports them: it sends these signals and
they connect receivers in their ``AppConfig.ready()``. Every signal is sent with ``send`` (not
``send_robust``), synchronously: a receiver that raises stops the sender, and inside a
transaction rolls it back. Receivers run in the order their apps are installed and must not
rely on each other. The sender is the ``TimetableRun`` model, except for the staff calendar's
(``DatedSession``).

``problem_assembling`` is sent by ``assembly.problem_assemble`` once it has chosen the
activities the problem places, with ``school=``, ``term=``, ``activities=`` (the ``Activity``
rows placed, a list) and ``days=`` (the weekdays the school has slots on, sorted). A receiver
returns a ``Demand`` (or None): the pupils who choose among those activities, and the places
already held in them. Enrolment answers it with the families' term plans.

``timetable_published`` is sent by ``publishing.publish`` inside its transaction, once the new
dated sessions are written and the run is live, with ``run=`` (the published ``TimetableRun``,
its school and term loaded, ``published_at`` and ``live`` set) and ``since=`` (the first day
whose sessions were replaced; the term's sessions from that day on are the run's). A receiver
returns a ``PublishReply`` (or None); ``publish`` reports what the replies say. Rest covers the
approved rest days again on the new sessions; enrolment releases the places of cancelled
activities and allocates families' places.

``publish_comparing`` is sent by ``presentation.publish_comparison`` (it only reads), with
``run=`` (the run about to be published), ``since=`` (the first day publishing it would
replace) and ``sessions=`` (the school's dated sessions of the term from ``since`` on, a
queryset). A receiver returns a ``ComparisonReply`` (or None) for the confirmation page. Rest
names the covers and approved rest days that publishing would affect.

``staff_calendar_annotating`` is sent by ``ics.calendar_for_staff`` with ``staff=`` (the
``StaffMember``). A receiver returns a dict of annotations (name → query expression) for the
staff member's ``DatedSession`` queryset, or None. The calendar marks a session annotated with
``cover_from_name`` as a cover duty for that person, stamped no earlier than
``cover_created_at``; rest annotates the sessions handed over for a colleague's rest day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.dispatch import Signal

problem_assembling = Signal()
timetable_published = Signal()
publish_comparing = Signal()
staff_calendar_annotating = Signal()


@dataclass(frozen=True)
class Demand:
    """A reply to ``problem_assembling``.

    ``students`` are the problem's student rows (public JSON format: ``id`` ``s<child pk>``,
    ``class``, ``choices`` limited to the activities placed, ``wants``, ``days``); ``held``
    counts per activity pk the places already held outside the ranked allocation, which the
    solve keeps and the problem leaves out of the activity's sizes.
    """

    students: list[dict] = field(default_factory=list)
    held: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishReply:
    """A reply to ``timetable_published``: the approved rest days from the first replaced day
    on that were covered again on the new sessions (``recovered``) or returned to the
    administrator (``reopened``)."""

    recovered: list = field(default_factory=list)
    reopened: list = field(default_factory=list)


@dataclass(frozen=True)
class ComparisonReply:
    """A reply to ``publish_comparing``.

    ``weekly_holders`` maps the pk of a session handed to a substitute to the pk of the staff
    member the timetable gave it to (the comparison counts it as theirs); ``covers`` is how
    many covers the replaced sessions carry; ``rest_affected`` lists the approved rest days from
    the first replaced day on, each with ``name``, ``date`` and ``covers``.
    """

    weekly_holders: dict[int, int] = field(default_factory=dict)
    covers: int = 0
    rest_affected: list = field(default_factory=list)
