import datetime
import itertools
from types import SimpleNamespace

import pytest

from scheduling.rest.models import DutyRecord
from scheduling.timetables.models import DatedSession
from tests import factories as f
from tests.ledger import build_world

_days = itertools.count()


def add_duty(world, staff, *, kind="supervision", as_cover=False, term=None, school=None):
    """A delivered session of ``staff`` and its duty record (a fresh dated session each time)."""
    term = term or world.term
    school = school or world.school
    template = world.supervision[0] if kind == "supervision" else world.staff_meetings[0]
    # A date of its own (past the fixture's sessions) keeps the session unique per slot.
    day = datetime.date(2030, 1, 1) + datetime.timedelta(days=next(_days))
    session = DatedSession.objects.create(
        school=school,
        term=term,
        run=template.run,
        date=day,
        slot=template.slot,
        start=template.start,
        end=template.end,
        kind=template.kind,
        school_class=template.school_class,
        activity=template.activity,
        staff=staff,
        room=template.room,
    )
    return DutyRecord.objects.create(
        staff=staff,
        dated_session=session,
        school=school,
        term=term,
        date=day,
        kind=DutyRecord.Kind.SUPERVISION if kind == "supervision" else DutyRecord.Kind.ACTIVITY,
        as_cover=as_cover,
    )


@pytest.fixture
def world():
    """``build_world`` plus three more teachers: wang (3 sup, 1 act, 2 cover = 6), li (2 act = 2),
    zhao (none), and the world's own teacher ``staff`` (1 sup = 1); an inactive teacher with
    no duty is left out. Another school has one teacher with 5 duties."""
    w = build_world()
    w.wang = f.StaffMemberFactory(school=w.school, staff_no="A01", name="王丽")
    w.li = f.StaffMemberFactory(school=w.school, staff_no="A02", name="李强")
    w.zhao = f.StaffMemberFactory(school=w.school, staff_no="A03", name="赵敏")
    f.StaffMemberFactory(school=w.school, staff_no="A09", name="离职", active=False)
    for _ in range(3):
        add_duty(w, w.wang)
    add_duty(w, w.wang, kind="activity")
    add_duty(w, w.wang, as_cover=True)
    add_duty(w, w.wang, kind="activity", as_cover=True)
    add_duty(w, w.li, kind="activity")
    add_duty(w, w.li, kind="activity")
    add_duty(w, w.staff)
    # Another term's duty does not count this term.
    w.other_term = f.TermFactory(start=datetime.date(2027, 2, 20), end=datetime.date(2027, 6, 30))
    add_duty(w, w.zhao, term=w.other_term)
    # Another school, in another district.
    other = SimpleNamespace(school=f.SchoolFactory())
    other.teacher = f.StaffMemberFactory(school=other.school, name="外校老师")
    w.other = other
    return w
