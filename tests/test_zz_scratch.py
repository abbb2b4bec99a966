import pytest
from django.db import IntegrityError, transaction
from tests import factories as f

pytestmark = pytest.mark.django_db

def test_smoke():
    a = f.ActivityFactory()
    assert a.vendor == a.course.vendor and a.school is not None and a.course.category == a.vendor.category
    s = f.SchoolActivityFactory()
    assert s.vendor is None and s.school == s.course.school
    c = f.SchoolCourseFactory()
    assert c.vendor is None and c.school
    ch = f.ChildFactory()
    cls = f.SchoolClassFactory()
    assert cls.home_room.school == cls.school
    t = f.TeacherFactory()
    assert t.staff.school == t.school
    u = f.UserFactory()
    assert u.check_password(f.PASSWORD)
    r = f.RoomFactory(kinds=[f.RoomKindFactory()])
    assert r.kinds.count() == 1
    sc = f.SchoolFactory()
    ch2 = f.ChildFactory(school=sc)
    assert ch2.school_class.school == sc
    for name, fn in [
        ("cd", lambda: (f.CalendarDayFactory(term=t1), f.CalendarDayFactory(term=t1))),
        ("cds", lambda: (f.CalendarDayFactory(term=t1, school=sc, date=t1.end), f.CalendarDayFactory(term=t1, school=sc, date=t1.end))),
        ("email", lambda: (f.UserFactory(email="A@x.com"), f.UserFactory(email="a@x.com"))),
        ("cls", lambda: (f.SchoolClassFactory(school=sc, number=9), f.SchoolClassFactory(school=sc, number=9))),
        ("mem", lambda: (f.BureauOfficerFactory(user=u), f.BureauOfficerFactory(user=u))),
    ]:
        t1 = f.TermFactory() if name == "cd" else locals().get("t1") or f.TermFactory()
        try:
            with transaction.atomic():
                fn()
        except IntegrityError as e:
            print(name, repr(str(e)))
