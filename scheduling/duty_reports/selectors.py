"""Duty reports: duties per teacher per term, and their spread per school.

Figures come from ``DutyRecord`` rows (one per delivered session). A record counts once, in
exactly one column, so the columns add up to the total:

* ``supervision`` — supervised-study sessions the teacher held as their own duty;
* ``activity`` — staff-run activity sessions held as their own duty;
* ``cover`` — sessions of either kind taken over from a colleague at rest (``as_cover``);
* ``total`` — all three.

A school's teachers are its active staff plus anyone with a record that term (someone who
left mid-term still counts). The spread of a school (``DutySpread``) is over those teachers'
totals: participation (teachers with at least one duty), mean, median, minimum, maximum, the
population standard deviation, and a histogram over ``HISTOGRAM_EDGES``.

These functions read only; ``views`` shows them and exports CSV and XLSX.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from scheduling.rest.models import DutyRecord
from scheduling.staff.models import StaffMember

# Lower bounds of the histogram's bins: 0, 1–4, 5–9, 10–19, 20–39, 40 and more duties a term.
HISTOGRAM_EDGES: tuple[int, ...] = (0, 1, 5, 10, 20, 40)


@dataclass(frozen=True)
class TeacherDuties:
    staff_id: int
    staff_no: str
    name: str
    supervision: int
    activity: int
    cover: int

    @property
    def total(self) -> int:
        return self.supervision + self.activity + self.cover


@dataclass(frozen=True)
class Bin:
    low: int
    high: int | None  # inclusive; None: no upper bound
    count: int

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low}+"
        if self.high == self.low:
            return str(self.low)
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class DutySpread:
    teachers: int
    with_duty: int
    participation: Decimal  # per cent, one decimal
    mean: Decimal
    median: Decimal
    minimum: int
    maximum: int
    stdev: Decimal  # population standard deviation
    histogram: tuple[Bin, ...]
    total: int


def _two_places(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def duties_by_school(*, school_ids: Iterable[int], term) -> dict[int, list[TeacherDuties]]:
    """Each school's teachers with their duties in ``term`` (two queries for all schools)."""
    school_ids = list(school_ids)
    counts = (
        DutyRecord.objects.filter(school_id__in=school_ids, term=term)
        .values("school_id", "staff_id")
        .annotate(
            supervision=Count("pk", filter=Q(kind=DutyRecord.Kind.SUPERVISION, as_cover=False)),
            activity=Count("pk", filter=Q(kind=DutyRecord.Kind.ACTIVITY, as_cover=False)),
            cover=Count("pk", filter=Q(as_cover=True)),
        )
        .order_by()
    )
    by_staff = {(row["school_id"], row["staff_id"]): row for row in counts}
    with_records = {staff_id for _, staff_id in by_staff}
    staff = StaffMember.objects.filter(school_id__in=school_ids).filter(
        Q(active=True) | Q(pk__in=with_records)
    )
    result: dict[int, list[TeacherDuties]] = {pk: [] for pk in school_ids}
    for member in staff.order_by("school_id", "staff_no").only("pk", "school_id", "staff_no", "name"):
        row = by_staff.get((member.school_id, member.pk), {})
        result[member.school_id].append(
            TeacherDuties(
                staff_id=member.pk,
                staff_no=member.staff_no,
                name=member.name,
                supervision=row.get("supervision", 0),
                activity=row.get("activity", 0),
                cover=row.get("cover", 0),
            )
        )
    return result


def duties_per_teacher(*, school, term) -> list[TeacherDuties]:
    """The school's teachers with their duties in ``term``, by staff number."""
    return duties_by_school(school_ids=[school.pk], term=term)[school.pk]


def histogram(totals: Sequence[int], edges: Sequence[int] = HISTOGRAM_EDGES) -> tuple[Bin, ...]:
    """How many totals fall in each bin; bin ``i`` is ``edges[i]`` to ``edges[i+1] - 1``."""
    bins = []
    for index, low in enumerate(edges):
        high = edges[index + 1] - 1 if index + 1 < len(edges) else None
        count = sum(1 for t in totals if t >= low and (high is None or t <= high))
        bins.append(Bin(low=low, high=high, count=count))
    return tuple(bins)


def spread(rows: Sequence[TeacherDuties], edges: Sequence[int] = HISTOGRAM_EDGES) -> DutySpread:
    """The spread of duty over the teachers of ``rows`` (zeros when there are none)."""
    totals = [row.total for row in rows]
    if not totals:
        zero = Decimal("0.00")
        return DutySpread(0, 0, Decimal("0.0"), zero, zero, 0, 0, zero, histogram([], edges), 0)
    with_duty = sum(1 for t in totals if t > 0)
    return DutySpread(
        teachers=len(totals),
        with_duty=with_duty,
        participation=(Decimal(100 * with_duty) / len(totals)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        ),
        mean=_two_places(statistics.fmean(totals)),
        median=_two_places(statistics.median(totals)),
        minimum=min(totals),
        maximum=max(totals),
        stdev=_two_places(statistics.pstdev(totals)),
        histogram=histogram(totals, edges),
        total=sum(totals),
    )


def school_spreads(*, schools: Iterable, term) -> list[tuple[object, DutySpread]]:
    """``(school, spread)`` for each school, in the order given."""
    schools = list(schools)
    rows = duties_by_school(school_ids=[s.pk for s in schools], term=term)
    return [(school, spread(rows[school.pk])) for school in schools]


def grouped(rows: Iterable[TeacherDuties]) -> dict[str, int]:
    """Column totals of a teacher table (for its footer)."""
    sums: dict[str, int] = defaultdict(int)
    for row in rows:
        sums["supervision"] += row.supervision
        sums["activity"] += row.activity
        sums["cover"] += row.cover
        sums["total"] += row.total
    return dict(sums)
