"""Teachers propose standing availability; the school's administrator decides; the solve uses it."""

import pytest
from django.urls import reverse

from core.weekdays import mask_from_days
from scheduling.staff import services
from scheduling.staff.models import AvailabilityRequest
from scheduling.timetables.assembly import problem_assemble, staff_key
from tests import factories as f

pytestmark = pytest.mark.django_db


def _propose(teacher, slots, *, days=(), unavailable=(), note=""):
    return services.availability_request(
        staff=teacher.staff,
        user=teacher.user,
        rest_days=mask_from_days(days),
        unavailable_slot_ids=[slots[code].pk for code in unavailable],
        note=note,
    )


def _row(school, staff):
    term = f.TermFactory()
    problem = problem_assemble(school=school, term=term)
    return next(row for row in problem["staff"] if row["id"] == staff_key(staff.pk))


def test_approval_updates_the_staff_record_and_the_next_problem(grid):
    school, slots, teacher, admin = grid
    assert _row(school, teacher.staff)["rest_days"] == []
    proposal = _propose(teacher, slots, days=[2], unavailable=["mon-2"], note="家中有事")
    teacher.staff.refresh_from_db()
    assert teacher.staff.rest_days == 0  # nothing changes before the decision
    services.availability_decide(request=proposal, user=admin.user, approve=True)
    proposal.refresh_from_db()
    assert proposal.status == AvailabilityRequest.Status.APPROVED
    assert proposal.decided_by == admin.user and proposal.decided_at
    teacher.staff.refresh_from_db()
    assert teacher.staff.rest_days == mask_from_days([2])
    row = _row(school, teacher.staff)
    assert row["rest_days"] == ["wed"]
    assert row["unavailable"] == ["mon-2"]


def test_rejection_needs_a_note_and_changes_nothing(grid):
    school, slots, teacher, admin = grid
    proposal = _propose(teacher, slots, days=[4])
    with pytest.raises(services.AvailabilityError) as caught:
        services.availability_decide(request=proposal, user=admin.user, approve=False, note="  ")
    assert caught.value.code == "note_required"
    services.availability_decide(request=proposal, user=admin.user, approve=False, note="周五人手不足")
    proposal.refresh_from_db()
    teacher.staff.refresh_from_db()
    assert proposal.status == AvailabilityRequest.Status.REJECTED
    assert teacher.staff.rest_days == 0
    with pytest.raises(services.AvailabilityError) as caught:  # decided once only
        services.availability_decide(request=proposal, user=admin.user, approve=True)
    assert caught.value.code == "already_decided"


def test_one_pending_at_a_time_and_withdraw(grid):
    school, slots, teacher, admin = grid
    proposal = _propose(teacher, slots, days=[0])
    with pytest.raises(services.AvailabilityError) as caught:
        _propose(teacher, slots, days=[2])
    assert caught.value.code == "already_pending"
    services.availability_withdraw(request=proposal, user=teacher.user)
    proposal.refresh_from_db()
    assert proposal.status == AvailabilityRequest.Status.WITHDRAWN
    with pytest.raises(services.AvailabilityError) as caught:
        services.availability_decide(request=proposal, user=admin.user, approve=True)
    assert caught.value.code == "already_decided"
    assert _propose(teacher, slots, days=[2]).status == AvailabilityRequest.Status.PENDING


def test_refusals(grid):
    school, slots, teacher, admin = grid
    other_slot = f.SlotFactory()  # another school's grid
    with pytest.raises(services.AvailabilityError) as caught:
        services.availability_request(
            staff=teacher.staff, user=teacher.user, rest_days=0, unavailable_slot_ids=[other_slot.pk]
        )
    assert caught.value.code == "slot_of_other_school"
    with pytest.raises(services.AvailabilityError) as caught:  # not a mask of weekdays
        services.availability_request(
            staff=teacher.staff, user=teacher.user, rest_days=128, unavailable_slot_ids=[]
        )
    assert caught.value.code == "rest_days_invalid"
    with pytest.raises(services.AvailabilityError) as caught:  # no slot on Tuesday
        _propose(teacher, slots, days=[1])
    assert caught.value.code == "rest_day_without_slots"
    teacher.staff.min_duties = 2
    teacher.staff.save()
    with pytest.raises(services.AvailabilityError) as caught:  # only fri-1 would stay free
        _propose(teacher, slots, days=[0], unavailable=["wed-1"])
    assert caught.value.code == "below_min_duties"
    assert not AvailabilityRequest.objects.exists()
    assert _propose(teacher, slots, days=[0]).pk  # wed-1 and fri-1 stay free: enough


def test_approval_rechecks_the_minimum(grid):
    school, slots, teacher, admin = grid
    proposal = _propose(teacher, slots, days=[0, 2])
    teacher.staff.min_duties = 2
    teacher.staff.save()
    with pytest.raises(services.AvailabilityError) as caught:
        services.availability_decide(request=proposal, user=admin.user, approve=True)
    assert caught.value.code == "below_min_duties"
    teacher.staff.refresh_from_db()
    assert teacher.staff.rest_days == 0


def test_pages_propose_and_decide(client, grid):
    school, slots, teacher, admin = grid
    client.force_login(teacher.user)
    home = client.get(reverse("portal:teacher_home", args=[teacher.staff_id])).content.decode()
    assert reverse("staff:availability", args=[teacher.staff_id]) in home
    url = reverse("staff:availability", args=[teacher.staff_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "propose", "rest_days": ["2"], "unavailable": [slots["mon-2"].pk], "note": "x"}
    )
    assert response.status_code == 302
    proposal = AvailabilityRequest.objects.get()
    assert 'data-testid="pending-proposal"' in client.get(url).content.decode()

    client.force_login(admin.user)
    listing = reverse("staff:availability_requests", args=[school.pk])
    assert f'data-testid="pending-{proposal.pk}"' in client.get(listing).content.decode()
    decide = reverse("staff:availability_decide", args=[school.pk, proposal.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    teacher.staff.refresh_from_db()
    assert teacher.staff.rest_days == mask_from_days([2])
    assert list(teacher.staff.unavailable.all()) == [slots["mon-2"]]


def test_page_refusal_is_shown(client, grid):
    school, slots, teacher, admin = grid
    teacher.staff.min_duties = 1
    teacher.staff.save()
    client.force_login(teacher.user)
    client.cookies["django_language"] = "en"
    url = reverse("staff:availability", args=[teacher.staff_id])
    response = client.post(url, {"action": "propose", "rest_days": ["0", "2", "4"]})
    assert response.status_code == 400
    assert "fewer than your minimum" in response.content.decode()
    assert not AvailabilityRequest.objects.exists()


def test_withdraw_page(client, grid):
    school, slots, teacher, admin = grid
    proposal = _propose(teacher, slots, days=[0])
    client.force_login(teacher.user)
    url = reverse("staff:availability", args=[teacher.staff_id])
    assert client.post(url, {"action": "withdraw"}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == AvailabilityRequest.Status.WITHDRAWN
    assert client.post(url, {"action": "withdraw"}).status_code == 404  # nothing pending


def test_other_schools_and_other_teachers_get_404(client, grid):
    school, slots, teacher, admin = grid
    proposal = _propose(teacher, slots, days=[0])
    other_teacher = f.TeacherFactory()
    colleague = f.TeacherFactory(school=school)
    other_admin = f.SchoolAdminFactory()
    url = reverse("staff:availability", args=[teacher.staff_id])
    decide = reverse("staff:availability_decide", args=[school.pk, proposal.pk])
    listing = reverse("staff:availability_requests", args=[school.pk])

    for user in (other_teacher.user, colleague.user, other_admin.user, admin.user):
        client.force_login(user)
        assert client.get(url).status_code == 404  # only the teacher proposes
    for user in (other_teacher.user, colleague.user, other_admin.user, teacher.user):
        client.force_login(user)
        assert client.get(listing).status_code == 404
        assert client.post(decide, {"decision": "approve"}).status_code == 404
    # Another school's administrator with a proposal id of this school, under their own school.
    client.force_login(other_admin.user)
    own_decide = reverse("staff:availability_decide", args=[other_admin.school_id, proposal.pk])
    assert client.post(own_decide, {"decision": "approve"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == AvailabilityRequest.Status.PENDING
    # The listing of a school shows none of another school's proposals.
    f.SlotFactory(school=other_teacher.school, weekday=3)
    services.availability_request(
        staff=other_teacher.staff, user=other_teacher.user, rest_days=8, unavailable_slot_ids=[]
    )
    client.force_login(admin.user)
    body = client.get(listing).content.decode()
    assert teacher.staff.name in body and other_teacher.staff.name not in body
