"""Tests of schools buying courses (``marketplace.course_requests``).

``build_world()`` makes a small city around one vendor course, with a term in progress today:

* two districts, 海曙 (cap ¥40 per enrichment session) and 江北 (cap ¥25), each with one
  primary school (``school`` and ``north``); the course costs ¥30 a session, so 海曙 may buy
  it and 江北 may not;
* ``school``'s grid: Monday, Wednesday and Thursday 16:40–17:40 enrichment, Friday
  15:30–16:30 supervised; class 3-2 with its home room, a gym (room kind ``sports``), two
  staff members;
* the vendor 星火体育 with instructors 李强 (available Monday and Wednesday 15:00–18:00),
  张敏 (Wednesday only) and 王芳 (no availability entered), a member ``vendor_member``;
  another vendor with its own instructor and member;
* the school's administrator ``admin``, and ``north_admin`` of the other school.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from marketplace.course_requests import services
from marketplace.fees.models import ChargingStandard
from scheduling.slots.models import Slot
from tests import factories as f

T = datetime.time


def enrichment_standard(district, cap: str, **fields):
    fields.setdefault("effective_from", timezone.localdate() - datetime.timedelta(days=365))
    return f.ChargingStandardFactory(
        district=district,
        service_kind=ChargingStandard.ServiceKind.ENRICHMENT,
        unit=ChargingStandard.Unit.PER_SESSION,
        cap_amount=Decimal(cap),
        **fields,
    )


def build_world() -> SimpleNamespace:
    today = timezone.localdate()
    haishu = f.DistrictFactory(name="海曙区", name_en="Haishu")
    jiangbei = f.DistrictFactory(name="江北区", name_en="Jiangbei")
    term = f.TermFactory(start=today - datetime.timedelta(days=20), end=today + datetime.timedelta(days=90))
    standard = enrichment_standard(haishu, "40.00")
    north_standard = enrichment_standard(jiangbei, "25.00")

    school = f.SchoolFactory(district=haishu, name="海曙实验小学")
    north = f.SchoolFactory(district=jiangbei, name="江北中心小学")
    mon = f.SlotFactory(school=school, weekday=0, start=T(16, 40), end=T(17, 40), kind=Slot.Kind.ENRICHMENT)
    wed = f.SlotFactory(school=school, weekday=2, start=T(16, 40), end=T(17, 40), kind=Slot.Kind.ENRICHMENT)
    thu = f.SlotFactory(school=school, weekday=3, start=T(16, 40), end=T(17, 40), kind=Slot.Kind.ENRICHMENT)
    fri = f.SlotFactory(school=school, weekday=4, start=T(15, 30), end=T(16, 30), kind=Slot.Kind.SUPERVISED)
    north_slot = f.SlotFactory(school=north, weekday=0, kind=Slot.Kind.ENRICHMENT)

    sports = f.RoomKindFactory(code="sports", name="运动场地", name_en="Sports ground")
    home = f.RoomFactory(school=school, code="r302", name="三年级二班教室")
    gym = f.RoomFactory(school=school, code="gym", name="体育馆", capacity=60, kinds=[sports])
    school_class = f.SchoolClassFactory(school=school, grade=3, number=2, home_room=home)
    wang = f.StaffMemberFactory(school=school, name="王丽")
    chen = f.StaffMemberFactory(school=school, name="陈刚")

    vendor = f.VendorFactory(name="星火体育", district=haishu)
    li = f.InstructorFactory(vendor=vendor, name="李强")
    f.InstructorAvailabilityFactory(instructor=li, weekday=0, start=T(15, 0), end=T(18, 0))
    f.InstructorAvailabilityFactory(instructor=li, weekday=2, start=T(15, 0), end=T(18, 0))
    zhang = f.InstructorFactory(vendor=vendor, name="张敏")
    f.InstructorAvailabilityFactory(instructor=zhang, weekday=2, start=T(15, 0), end=T(18, 0))
    idle = f.InstructorFactory(vendor=vendor, name="王芳")
    course = f.CourseFactory(
        vendor=vendor, title="少儿篮球", title_en="Junior basketball", price_per_session=Decimal("30.00")
    )

    other_vendor = f.VendorFactory(name="彩虹美术", district=haishu)
    stranger = f.InstructorFactory(vendor=other_vendor, name="赵六")
    f.InstructorAvailabilityFactory(instructor=stranger, weekday=0, start=T(15, 0), end=T(18, 0))

    return SimpleNamespace(
        today=today,
        haishu=haishu,
        jiangbei=jiangbei,
        term=term,
        standard=standard,
        north_standard=north_standard,
        school=school,
        north=north,
        slots={"mon": mon, "wed": wed, "thu": thu, "fri": fri},
        north_slot=north_slot,
        sports=sports,
        home=home,
        gym=gym,
        school_class=school_class,
        wang=wang,
        chen=chen,
        vendor=vendor,
        li=li,
        zhang=zhang,
        idle=idle,
        course=course,
        other_vendor=other_vendor,
        stranger=stranger,
        admin=f.SchoolAdminFactory(school=school),
        north_admin=f.SchoolAdminFactory(school=north),
        vendor_member=f.VendorMemberFactory(vendor=vendor),
        other_vendor_member=f.VendorMemberFactory(vendor=other_vendor),
    )


def request_for(world, *, school=None, course=None, term=None, user=None, **fields):
    """A request made through the service, with sensible defaults for ``world.school``."""
    school = school or world.school
    values = {
        "grade_min": 3,
        "grade_max": 4,
        "groups": 1,
        "meetings_per_week": 2,
        "max_size": 25,
        "min_size": 8,
        "room_kind": world.sports,
        "slots": [world.slots["mon"], world.slots["wed"]],
        "note": "",
    }
    values.update(fields)
    return services.course_request_create(
        school=school,
        course=course or world.course,
        term=term or world.term,
        user=user or (world.admin.user if school == world.school else world.north_admin.user),
        **values,
    )
