"""Fee waivers: request, decision, their refusals, and their line in the quote."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from marketplace.billing.quotes import LineKind, quote_for
from marketplace.fees.models import Waiver
from marketplace.fees.services import WaiverError, waiver_decide, waiver_request
from tests import factories as f
from tests.fees.conftest import ENR, PER_TERM, D, activity, enrol, standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return {
        "parent": f.ParentFactory(household=world.household).user,
        "admin": f.SchoolAdminFactory(school=world.school).user,
        "other_parent": f.ParentFactory().user,
        "other_admin": f.SchoolAdminFactory(school=f.SchoolFactory(district=world.district)).user,
    }


def ask(world, people, kind="full", percent=None, reason="父亲失业"):
    return waiver_request(
        child=world.child, term=world.term, user=people["parent"], kind=kind, percent=percent, reason=reason
    )


def charged(world):
    """Supervision 300 per term + 3 sessions at 30 + materials 50 = 440."""
    standard(world, unit=PER_TERM, cap="300.00")
    standard(world, kind=ENR, cap="40.00")
    enrol(world, activity(world, materials="50.00", dates=(D(2026, 9, 9), D(2026, 9, 23), D(2026, 9, 30))))


def waiver_lines(quote):
    return [line for line in quote.lines if line.kind == LineKind.WAIVER]


def test_request_then_approve_full_waiver_zeroes_the_quote(world, people):
    charged(world)
    waiver = ask(world, people)
    assert waiver.status == Waiver.Status.REQUESTED and waiver.requested_by == people["parent"]
    assert waiver_lines(quote_for(child=world.child, term=world.term)) == []  # not yet approved
    waiver_decide(waiver=waiver, user=people["admin"], approve=True, note="")
    waiver.refresh_from_db()
    assert waiver.status == Waiver.Status.APPROVED
    assert waiver.decided_by == people["admin"] and waiver.decided_at is not None
    quote = quote_for(child=world.child, term=world.term)
    (line,) = waiver_lines(quote)
    assert line.amount == Decimal("-440.00")
    assert quote.subtotal == Decimal("440.00") and quote.total == Decimal("0.00")
    assert quote.waiver == waiver


def test_partial_waiver_takes_the_percent_of_the_charges(world, people):
    charged(world)
    waiver_decide(waiver=ask(world, people, kind="partial", percent=15), user=people["admin"], approve=True)
    quote = quote_for(child=world.child, term=world.term)
    assert waiver_lines(quote)[0].amount == Decimal("-66.00")
    assert quote.total == Decimal("374.00")


def test_partial_waiver_rounds_half_up_to_fen(world, people):
    standard(world, unit=PER_TERM, cap="190.17")
    waiver_decide(waiver=ask(world, people, kind="partial", percent=50), user=people["admin"], approve=True)
    quote = quote_for(child=world.child, term=world.term)
    # 95.085 → 95.09 (banker's rounding would give 95.08).
    assert waiver_lines(quote)[0].amount == Decimal("-95.09")
    assert quote.total == Decimal("95.08")


def test_rejected_waiver_adds_nothing_and_may_be_asked_again(world, people):
    charged(world)
    waiver = ask(world, people)
    waiver_decide(waiver=waiver, user=people["admin"], approve=False, note="材料不全")
    waiver.refresh_from_db()
    assert waiver.status == Waiver.Status.REJECTED and waiver.decision_note == "材料不全"
    assert quote_for(child=world.child, term=world.term).total == Decimal("440.00")
    again = ask(world, people, kind="partial", percent=40)
    assert again.pk != waiver.pk and Waiver.objects.count() == 2


def test_only_a_parent_of_the_household_may_ask(world, people):
    for user in (people["other_parent"], people["admin"]):
        with pytest.raises(PermissionDenied):
            waiver_request(child=world.child, term=world.term, user=user, kind="full", reason="x")
    assert not Waiver.objects.exists()


@pytest.mark.parametrize(
    ("kind", "percent", "reason", "field", "code"),
    [
        ("partial", None, "r", "percent", "waiver_percent_invalid"),
        ("partial", 0, "r", "percent", "waiver_percent_invalid"),
        ("partial", 100, "r", "percent", "waiver_percent_invalid"),
        ("half", None, "r", "kind", "waiver_kind_invalid"),
        ("full", None, "   ", "reason", "waiver_reason_missing"),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(world, people, kind, percent, reason, field, code):
    with pytest.raises(WaiverError) as caught:
        ask(world, people, kind=kind, percent=percent, reason=reason)
    assert caught.value.code == code
    assert field in caught.value.message_dict
    assert not Waiver.objects.exists()


def test_a_full_waiver_ignores_a_percent(world, people):
    assert ask(world, people, kind="full", percent=30).percent is None


def test_one_live_waiver_per_child_and_term(world, people):
    ask(world, people)
    with pytest.raises(WaiverError) as caught:
        ask(world, people, kind="partial", percent=10)
    assert caught.value.code == "waiver_already_live"
    assert Waiver.objects.count() == 1


def test_only_an_admin_of_the_childs_school_may_decide(world, people):
    waiver = ask(world, people)
    for user in (people["other_admin"], people["parent"], f.BureauOfficerFactory().user):
        with pytest.raises(PermissionDenied):
            waiver_decide(waiver=waiver, user=user, approve=True)
    waiver.refresh_from_db()
    assert waiver.status == Waiver.Status.REQUESTED and waiver.decided_by is None


def test_rejection_needs_a_reason_and_a_decision_is_final(world, people):
    waiver = ask(world, people)
    with pytest.raises(WaiverError) as caught:
        waiver_decide(waiver=waiver, user=people["admin"], approve=False, note=" ")
    assert caught.value.code == "waiver_note_missing"
    assert "note" in caught.value.message_dict
    waiver.refresh_from_db()
    assert waiver.status == Waiver.Status.REQUESTED
    waiver_decide(waiver=waiver, user=people["admin"], approve=True)
    with pytest.raises(WaiverError) as caught:
        waiver_decide(waiver=waiver, user=people["admin"], approve=False, note="改变主意")
    assert caught.value.code == "waiver_already_decided"
    waiver.refresh_from_db()
    assert waiver.status == Waiver.Status.APPROVED


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "full", "percent": 20},
        {"kind": "partial", "percent": None},
        {"kind": "partial", "percent": 100},
        {"kind": "full", "status": "approved"},  # no decider
        {"kind": "full", "reason": ""},
    ],
)
def test_database_constraints(world, people, fields):
    values = {"child": world.child, "term": world.term, "requested_by": people["parent"], "reason": "r"}
    values.update(fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Waiver.objects.create(**values)


def test_database_allows_one_live_waiver_only(world, people):
    ask(world, people)
    with pytest.raises(IntegrityError), transaction.atomic():
        Waiver.objects.create(
            child=world.child, term=world.term, kind="full", reason="r", requested_by=people["parent"]
        )
