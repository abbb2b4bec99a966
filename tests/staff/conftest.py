import datetime

import pytest

from scheduling.slots.models import Slot
from tests import factories as f

T = datetime.time


@pytest.fixture
def grid():
    """A school with slots Monday (two), Wednesday and Friday, and one teacher of it."""
    school = f.SchoolFactory()
    slots = {
        "mon-1": f.SlotFactory(
            school=school, weekday=0, start=T(15, 30), end=T(16, 30), kind=Slot.Kind.SUPERVISED
        ),
        "mon-2": f.SlotFactory(school=school, weekday=0, start=T(16, 40), end=T(17, 40)),
        "wed-1": f.SlotFactory(school=school, weekday=2, start=T(15, 30), end=T(16, 30)),
        "fri-1": f.SlotFactory(
            school=school, weekday=4, start=T(15, 30), end=T(16, 30), kind=Slot.Kind.SUPERVISED
        ),
    }
    teacher = f.TeacherFactory(school=school)
    admin = f.SchoolAdminFactory(school=school)
    return school, slots, teacher, admin
