from dataclasses import dataclass, field

from core.weekdays import DAY_CODES, WEEKDAY_CHOICES
from scheduling.slots.models import Slot


@dataclass
class GridRow:
    position: int
    cells: list = field(default_factory=list)  # one Slot or None per weekday column


def slot_codes(*, school) -> dict[int, str]:
    """Slot id → the timetable format's slot code (``mon-1``), for a whole school at once."""
    codes = {}
    seen: dict[int, int] = {}
    for slot in Slot.objects.filter(school=school).order_by("weekday", "start"):
        seen[slot.weekday] = seen.get(slot.weekday, 0) + 1
        codes[slot.pk] = f"{DAY_CODES[slot.weekday]}-{seen[slot.weekday]}"
    return codes


def slot_grid(*, school) -> dict:
    """The weekly grid as rows (period 1, 2, …) by weekday columns."""
    slots = list(Slot.objects.filter(school=school).order_by("weekday", "start"))
    weekdays = sorted({slot.weekday for slot in slots})
    by_day: dict[int, list[Slot]] = {day: [] for day in weekdays}
    for slot in slots:
        by_day[slot.weekday].append(slot)
    depth = max((len(v) for v in by_day.values()), default=0)
    rows = [
        GridRow(
            position=i + 1,
            cells=[by_day[d][i] if i < len(by_day[d]) else None for d in weekdays],
        )
        for i in range(depth)
    ]
    labels = dict(WEEKDAY_CHOICES)
    return {"days": [labels[d] for d in weekdays], "rows": rows}
