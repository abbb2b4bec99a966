"""The grade's factors, thresholds, history and triggers (services, tasks, receivers)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.models import AppendOnlyError
from marketplace.enrolment.models import Enrolment
from marketplace.ledger.services import ledger_pay
from marketplace.risk.grading import evaluate
from marketplace.risk.models import Complaint, RiskAssessment, RiskPolicy
from marketplace.risk.services import (
    RiskError,
    complaint_record,
    complaint_resolve,
    risk_grade_all,
    risk_grade_vendor,
    risk_policy_update,
)
from marketplace.risk.tasks import risk_grade_daily
from marketplace.vendors.models import Vendor
from marketplace.vendors.services import vendor_reinstate, vendor_revoke, vendor_suspend
from marketplace.vendors.signals import vendor_changed
from schools.selectors import today
from tests import factories as f
from tests.ledger import withdraw

M = Decimal
Trigger = RiskAssessment.Trigger


def grade(vendor) -> str:
    risk_grade_vendor(vendor=vendor)
    vendor.refresh_from_db()
    return vendor.risk_grade


def pay(world, child_index: int, amount: str):
    return ledger_pay(child=world.children[child_index], lines=[(world.vendor_activity, M(amount))])


# --- each factor across its threshold -------------------------------------------------------


def test_a_public_institution_without_exposure_is_a(world):
    assert grade(world.vendor) == "A"
    latest = RiskAssessment.objects.get(vendor=world.vendor)
    assert latest.score == 0 and latest.reasons == [{"code": "none", "params": {}}]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("public", "A"), ("non_profit", "A"), ("company", "B"), ("individual", "C")],
)
def test_institution_type_moves_the_grade(world, kind, expected):
    Vendor.objects.filter(pk=world.vendor.pk).update(institution_type=kind)
    assert grade(world.vendor) == expected


def test_pupils_holding_prepaid_sessions_move_the_grade(world):
    pay(world, 0, "10.00")
    assert grade(world.vendor) == "A"  # 1 pupil: below 2
    pay(world, 1, "10.00")
    assert grade(world.vendor) == "B"  # 2 pupils: the first threshold
    latest = RiskAssessment.objects.filter(vendor=world.vendor).first()
    assert latest.factors["prepaid"]["pupils"] == 2 and latest.factors["prepaid"]["points"] == 1
    assert latest.reasons[0] == {"code": "pupils", "params": {"count": 2, "points": 1}}


def test_pupils_at_the_second_threshold_score_its_points(world):
    third = f.ChildFactory(school_class=world.school_class)
    Enrolment.objects.create(
        child=third,
        activity=world.vendor_activity,
        status=Enrolment.Status.PLACED,
        source=Enrolment.Source.ALLOCATION,
        joined_on=world.term.start,
    )
    for child in [*world.children, third]:
        ledger_pay(child=child, lines=[(world.vendor_activity, M("1.00"))])
    assert grade(world.vendor) == "C"  # 3 pupils: +2


def test_money_held_moves_the_grade(world):
    pay(world, 0, "499.99")
    assert grade(world.vendor) == "A"
    pay(world, 0, "0.01")
    assert grade(world.vendor) == "B"  # ¥500.00: the first threshold
    pay(world, 0, "500.00")
    assert grade(world.vendor) == "C"  # ¥1,000.00: the second
    latest = RiskAssessment.objects.filter(vendor=world.vendor).first()
    assert latest.factors["prepaid"]["held"] == "1000.00" and latest.factors["prepaid"]["held_points"] == 2


def test_pupils_and_money_count_once_the_worse_of_the_two(world):
    pay(world, 0, "600.00")
    pay(world, 1, "10.00")  # 2 pupils (+1) and ¥610 (+1): one exposure, +1
    assert grade(world.vendor) == "B"


def test_refunds_owed_move_the_grade(world):
    pay(world, 0, "50.00")
    assert grade(world.vendor) == "A"
    # The child leaves the activity but the money is still held: it is owed back.
    withdraw(world.enrolments[(0, "vendor")])
    assert grade(world.vendor) == "B"
    latest = RiskAssessment.objects.filter(vendor=world.vendor).first()
    assert latest.factors["refunds"] == {"value": "50.00", "points": 1}
    pay(world, 0, "50.00")  # ¥100 owed: the second threshold
    assert grade(world.vendor) == "C"


def test_open_complaints_move_the_grade_and_resolving_brings_it_back(world):
    first = complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="迟到")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"
    complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="退费慢")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"  # two: still the first step
    third = complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="安全")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "C"  # three: +2
    complaint_resolve(complaint=third, officer=world.officer, resolution="已整改")
    complaint_resolve(complaint=first, officer=world.officer, resolution="已道歉")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"
    assert RiskAssessment.objects.filter(vendor=world.vendor).first().trigger == Trigger.COMPLAINT


def test_suspension_is_d_outright_and_reinstating_restores_the_grade(world):
    assert grade(world.vendor) == "A"
    vendor_suspend(vendor=world.vendor, officer=world.officer, reason="无证经营")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "D"
    latest = RiskAssessment.objects.filter(vendor=world.vendor).first()
    assert latest.trigger == Trigger.VENDOR and latest.score == 0
    assert latest.reasons[0]["code"] == "suspended"
    vendor_reinstate(vendor=world.vendor, officer=world.officer)
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "A"


def test_a_score_above_the_c_band_is_d(world):
    Vendor.objects.filter(pk=world.vendor.pk).update(institution_type="individual")  # +2
    complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="投诉")  # +1
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "D"


def test_the_default_policy_thresholds():
    """The shipped numbers: ≥50 pupils or ¥50,000 +1, ≥200 or ¥200,000 +2, any refund owed
    +1, ¥10,000 +2, one complaint +1, three +2; A ≤ 1, B ≤ 3, C ≤ 5."""
    policy = RiskPolicy()

    def g(**kw):
        kw.setdefault("institution_type", "public")
        return evaluate(policy=policy, status="approved", **kw)

    assert g().grade == "A" and g(institution_type="company").grade == "A"
    assert g(institution_type="individual").grade == "B"
    assert g(pupils_holding=49).score == 0 and g(pupils_holding=50).score == 1
    assert g(pupils_holding=199).score == 1 and g(pupils_holding=200).score == 2
    assert g(held=M("49999.99")).score == 0 and g(held=M("50000")).score == 1
    assert g(held=M("200000")).score == 2
    assert g(refunds_owed=M("0.01")).score == 1 and g(refunds_owed=M("10000")).score == 2
    assert g(open_complaints=1).score == 1 and g(open_complaints=3).score == 2
    worst = g(institution_type="individual", pupils_holding=200, refunds_owed=M("10000"), open_complaints=3)
    assert (worst.score, worst.grade) == (8, "D")
    assert g(institution_type="company", pupils_holding=200, refunds_owed=M("1")).grade == "C"
    assert evaluate(policy=policy, status="suspended", institution_type="public").grade == "D"


# --- which vendors are graded ---------------------------------------------------------------


def test_only_approved_and_suspended_vendors_are_graded(world):
    draft = f.VendorFactory(draft=True, district=world.district)
    assert grade(draft) == ""
    assert not RiskAssessment.objects.filter(vendor=draft).exists()


def test_a_revoked_vendor_loses_its_grade_with_a_note(world):
    assert grade(world.vendor) == "A"
    vendor_revoke(vendor=world.vendor, officer=world.officer, reason="吊销")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == ""
    latest = RiskAssessment.objects.filter(vendor=world.vendor).first()
    assert latest.grade == "" and latest.reasons[0]["code"] == "not_graded"


# --- history --------------------------------------------------------------------------------


def test_history_is_appended_only_when_something_changed(world):
    assert risk_grade_vendor(vendor=world.vendor) is not None
    assert risk_grade_vendor(vendor=world.vendor) is None  # nothing changed: nothing written
    pay(world, 0, "10.00")  # a factor's value changed, the grade did not
    assert risk_grade_vendor(vendor=world.vendor) is not None
    pay(world, 1, "10.00")
    risk_grade_vendor(vendor=world.vendor)
    history = list(RiskAssessment.objects.filter(vendor=world.vendor).order_by("computed_at", "pk"))
    assert [a.grade for a in history] == ["A", "A", "B"]
    assert [a.factors["prepaid"]["pupils"] for a in history] == [0, 1, 2]


def test_assessments_are_append_only(world):
    assessment = risk_grade_vendor(vendor=world.vendor)
    with pytest.raises(AppendOnlyError) as caught:
        assessment.save()
    assert caught.value.code == "append_only"
    with pytest.raises(AppendOnlyError) as caught:
        assessment.delete()
    assert caught.value.code == "append_only"


# --- triggers -------------------------------------------------------------------------------


def test_the_daily_task_regrades_every_vendor(world):
    risk_grade_all()
    pay(world, 0, "600.00")  # the ledger's after-commit signal never runs in this test
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "A"
    result = risk_grade_daily.enqueue()
    assert result.return_value == 1
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"
    assert RiskAssessment.objects.filter(vendor=world.vendor).first().trigger == Trigger.DAILY
    world.other_vendor.refresh_from_db()
    assert world.other_vendor.risk_grade == "B"  # a company, the factory's default


def test_a_ledger_movement_regrades_its_vendor(world, django_capture_on_commit_callbacks):
    assert grade(world.vendor) == "A"
    with django_capture_on_commit_callbacks(execute=True):
        pay(world, 0, "600.00")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"
    assert RiskAssessment.objects.filter(vendor=world.vendor).first().trigger == Trigger.LEDGER


def test_a_vendor_change_regrades_before_the_other_receivers_and_sends_no_second_signal(world):
    seen = []

    def spy(sender, vendor, **kwargs):
        seen.append((vendor.pk, vendor.risk_grade, kwargs.get("risk_only", False)))

    vendor_changed.connect(spy, dispatch_uid="test.risk.spy")
    try:
        Vendor.objects.filter(pk=world.vendor.pk).update(institution_type="company")
        world.vendor.refresh_from_db()
        vendor_changed.send(sender=Vendor, vendor=world.vendor)
    finally:
        vendor_changed.disconnect(dispatch_uid="test.risk.spy")
    world.vendor.refresh_from_db()
    assert world.vendor.risk_grade == "B"
    # Later receivers (the CMS) see the new grade on the instance; one signal, no loop.
    assert seen == [(world.vendor.pk, "B", False)]
    assert RiskAssessment.objects.filter(vendor=world.vendor).count() == 1


def test_a_grade_change_from_elsewhere_resyncs_the_catalogue_once(world):
    risk_grade_vendor(vendor=world.vendor)
    seen = []

    def spy(sender, vendor, **kwargs):
        seen.append((vendor.pk, vendor.risk_grade, kwargs.get("risk_only", False)))

    vendor_changed.connect(spy, dispatch_uid="test.risk.spy")
    try:
        complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="x")
        complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="y")
    finally:
        vendor_changed.disconnect(dispatch_uid="test.risk.spy")
    assert seen == [(world.vendor.pk, "B", True)]  # the second complaint did not change the grade


# --- the policy -----------------------------------------------------------------------------


def test_a_policy_change_regrades_every_vendor(world):
    risk_grade_all()
    world.other_vendor.refresh_from_db()
    assert world.other_vendor.risk_grade == "B"
    risk_policy_update(officer=world.city_officer, points_company=0)
    world.other_vendor.refresh_from_db()
    assert world.other_vendor.risk_grade == "A"
    assert RiskAssessment.objects.filter(vendor=world.other_vendor).first().trigger == Trigger.POLICY
    risk_policy_update(officer=world.city_officer, band_a_max=2, band_b_max=3, band_c_max=4)
    Vendor.objects.filter(pk=world.vendor.pk).update(institution_type="individual")
    assert grade(world.vendor) == "A"  # 2 points, now inside A


def test_only_the_city_bureau_changes_the_policy(world):
    with pytest.raises(RiskError) as caught:
        risk_policy_update(officer=world.officer, points_company=5)
    assert caught.value.code == "not_city_officer"
    with pytest.raises(RiskError) as caught:
        risk_policy_update(officer=world.school_admin, points_company=5)
    assert caught.value.code == "not_city_officer"
    assert RiskPolicy.current().points_company == 1


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"band_a_max": 3, "band_b_max": 3}, "band_b_max", "bands_out_of_order"),
        ({"band_c_max": 1}, "band_c_max", "bands_out_of_order"),
        ({"pupils_threshold_2": 2}, "pupils_threshold_2", "thresholds_out_of_order"),
        ({"held_threshold_2": M("100.00")}, "held_threshold_2", "thresholds_out_of_order"),
        ({"refunds_points_2": 0}, "refunds_points_2", "points_out_of_order"),
        ({"complaints_threshold_1": 0}, "complaints_threshold_1", "min_value"),  # the field's own bounds
        ({"points_company": 11}, "points_company", "max_value"),
    ],
)
def test_a_bad_policy_is_refused_and_nothing_changes(world, values, field, code):
    with pytest.raises(RiskError) as refused:
        risk_policy_update(officer=world.city_officer, **values)
    assert refused.value.code == code
    assert field in refused.value.message_dict
    policy = RiskPolicy.current()
    assert (policy.band_a_max, policy.band_b_max, policy.band_c_max, policy.points_company) == (0, 1, 2, 1)


def test_the_database_holds_the_policy_orderings(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskPolicy.objects.filter(pk=1).update(band_b_max=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskPolicy.objects.filter(pk=1).update(refunds_threshold_2=M("0.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskPolicy.objects.create(pk=2)


# --- complaints -----------------------------------------------------------------------------


def test_complaints_are_refused_for_another_districts_officer(world):
    with pytest.raises(RiskError) as caught:
        complaint_record(vendor=world.vendor, officer=world.foreign_officer, received_on=today(), summary="x")
    assert caught.value.code == "not_officer"
    complaint = complaint_record(
        vendor=world.vendor, officer=world.city_officer, received_on=today(), summary="x"
    )
    with pytest.raises(RiskError) as caught:
        complaint_resolve(complaint=complaint, officer=world.foreign_officer, resolution="y")
    assert caught.value.code == "not_officer"
    assert Complaint.objects.get().status == Complaint.Status.OPEN


def test_a_complaint_needs_a_summary_and_a_past_date(world):
    import datetime

    with pytest.raises(RiskError) as refused:
        complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="  ")
    assert refused.value.code == "summary_missing"
    assert "summary" in refused.value.message_dict
    with pytest.raises(RiskError) as refused:
        complaint_record(
            vendor=world.vendor,
            officer=world.officer,
            received_on=today() + datetime.timedelta(days=1),
            summary="x",
        )
    assert refused.value.code == "received_in_future"
    assert "received_on" in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_a_complaint_is_resolved_once_with_a_resolution(world):
    complaint = complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="x")
    with pytest.raises(RiskError) as caught:
        complaint_resolve(complaint=complaint, officer=world.officer, resolution=" ")
    assert caught.value.code == "resolution_missing"
    complaint_resolve(complaint=complaint, officer=world.officer, resolution="done")
    with pytest.raises(RiskError) as caught:
        complaint_resolve(complaint=complaint, officer=world.officer, resolution="again")
    assert caught.value.code == "already_resolved"
    complaint.refresh_from_db()
    assert complaint.resolution == "done" and complaint.resolved_by == world.officer


def test_the_database_holds_the_complaint_rules(world):
    complaint = complaint_record(vendor=world.vendor, officer=world.officer, received_on=today(), summary="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(status="resolved")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(summary="")
