"""Every fee rule of ``quote_for`` (see ``tests/fees/conftest.py`` for the calendar)."""

from decimal import Decimal

import pytest

from core.weekdays import mask_from_days
from marketplace.billing.quotes import LineKind, QuoteError, quote_for
from marketplace.enrolment.models import Enrolment
from tests.fees.conftest import ENR, PER_MONTH, PER_SESSION, PER_TERM, D, activity, enrol, plan, standard

pytestmark = pytest.mark.django_db

WEDS = (D(2026, 9, 9), D(2026, 9, 23), D(2026, 9, 30))  # 16 Sept is a holiday: no session


def supervision(quote):
    return [line for line in quote.lines if line.kind == LineKind.SUPERVISION]


def enrichment(quote):
    return [line for line in quote.lines if line.kind == LineKind.ENRICHMENT]


def materials(quote):
    return [line for line in quote.lines if line.kind == LineKind.MATERIALS]


# --- supervised study ------------------------------------------------------------------


def test_per_session_counts_teaching_days_holidays_closures_out_makeup_in(world):
    used = standard(world, unit=PER_SESSION, cap="10.00", doc="甬发改〔2026〕7号")
    quote = quote_for(child=world.child, term=world.term)
    (line,) = supervision(quote)
    # 20 weekdays − holiday − closure + make-up Saturday = 19.
    assert line.quantity == 19
    assert line.unit_price == Decimal("10.00")
    assert line.amount == Decimal("190.00")
    assert line.standard == used
    assert line.approval_document == "甬发改〔2026〕7号"
    assert line.first_date == D(2026, 9, 7) and line.last_date == D(2026, 10, 2)
    assert quote.total == Decimal("190.00") == quote.subtotal


def test_per_session_by_the_plan_days_with_the_makeup_day_on_its_weekday(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    plan(world, [0, 2])  # Mondays 4 + make-up Saturday (follows Monday) = 5; Wednesdays 4 − holiday = 3
    (line,) = supervision(quote_for(child=world.child, term=world.term))
    assert line.quantity == 8
    assert line.amount == Decimal("80.00")


def test_makeup_day_for_a_weekday_the_child_does_not_stay_is_not_charged(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    plan(world, [1])  # Tuesdays: 4 − the closure = 3; the Saturday follows Monday
    (line,) = supervision(quote_for(child=world.child, term=world.term))
    assert line.quantity == 3


def test_no_plan_uses_the_class_days_and_a_plan_never_adds_a_day_the_class_lacks(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    world.school_class.days = mask_from_days([0, 1, 2, 3])
    world.school_class.save()
    world.child.refresh_from_db()
    assert supervision(quote_for(child=world.child, term=world.term))[0].quantity == 15  # 5+3+3+4
    plan(world, [3, 4])  # Friday is not a day of the class
    assert supervision(quote_for(child=world.child, term=world.term))[0].quantity == 4


def test_a_plan_with_no_days_charges_no_supervision(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    plan(world, [])
    assert supervision(quote_for(child=world.child, term=world.term)) == []


def test_other_schools_closure_does_not_count(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    plan(world, [1])
    # The other school's closure on Tuesday 8 September leaves this school's Tuesday charged.
    line = supervision(quote_for(child=world.child, term=world.term))[0]
    assert line.first_date == D(2026, 9, 8)


def test_per_term_is_pro_rata_by_chosen_days(world):
    standard(world, unit=PER_TERM, cap="300.00")
    assert supervision(quote_for(child=world.child, term=world.term))[0].amount == Decimal("300.00")
    plan(world, [0, 2, 4])
    (line,) = supervision(quote_for(child=world.child, term=world.term))
    assert line.quantity == Decimal("0.6000")
    assert line.amount == Decimal("180.00")


def test_per_term_rounds_half_up_to_fen(world):
    standard(world, unit=PER_TERM, cap="0.25")
    plan(world, [0, 1])  # 0.25 × 2/5 = 0.10 exactly; 0.25 × 1/... checked below
    assert supervision(quote_for(child=world.child, term=world.term))[0].amount == Decimal("0.10")
    world.school_class.days = mask_from_days([0, 1, 2, 3])
    world.school_class.save()
    world.child.refresh_from_db()
    # 0.25 × 2/4 = 0.125 → 0.13 (half up; banker's rounding would give 0.12).
    assert supervision(quote_for(child=world.child, term=world.term))[0].amount == Decimal("0.13")


def test_per_month_is_pro_rata_by_the_days_of_each_month(world):
    standard(world, unit=PER_MONTH, cap="200.00")
    sept, octo = supervision(quote_for(child=world.child, term=world.term))
    # September: 17 teaching days in the term of 22 weekdays in the month; October: 2 of 22.
    assert sept.quantity == Decimal("0.7727") and sept.amount == Decimal("154.55")
    assert octo.quantity == Decimal("0.0909") and octo.amount == Decimal("18.18")
    plan(world, [0, 2])
    sept, octo = supervision(quote_for(child=world.child, term=world.term))
    assert sept.amount == Decimal("61.82")  # 200 × 2/5 × 17/22 = 61.818…


def test_a_new_standard_mid_term_applies_only_to_later_days(world):
    old = standard(world, unit=PER_SESSION, cap="10.00", end=D(2026, 9, 20))
    new = standard(world, unit=PER_SESSION, cap="12.00", start=D(2026, 9, 21))
    first, second = supervision(quote_for(child=world.child, term=world.term))
    assert (first.standard, first.quantity, first.amount) == (old, 9, Decimal("90.00"))
    assert (second.standard, second.quantity, second.amount) == (new, 10, Decimal("120.00"))
    assert second.first_date == D(2026, 9, 21)


def test_a_new_per_term_standard_mid_term_is_pro_rata(world):
    standard(world, unit=PER_TERM, cap="300.00", end=D(2026, 9, 20))
    standard(world, unit=PER_TERM, cap="400.00", start=D(2026, 9, 21))
    first, second = supervision(quote_for(child=world.child, term=world.term))
    assert first.amount == Decimal("142.11")  # 300 × 9/19
    assert second.amount == Decimal("210.53")  # 400 × 10/19


def test_a_standard_after_the_term_does_not_rewrite_it(world):
    standard(world, unit=PER_SESSION, cap="10.00", end=D(2026, 12, 31))
    standard(world, unit=PER_SESSION, cap="99.00", start=D(2027, 1, 1))
    assert quote_for(child=world.child, term=world.term).total == Decimal("190.00")


def test_a_quote_starting_late_charges_only_what_is_left(world):
    standard(world, unit=PER_SESSION, cap="10.00")
    (line,) = supervision(quote_for(child=world.child, term=world.term, on=D(2026, 9, 21)))
    assert line.quantity == 10


def test_no_standard_in_force_refuses(world):
    standard(world, unit=PER_SESSION, cap="10.00", start=D(2026, 9, 10))
    with pytest.raises(QuoteError) as caught:
        quote_for(child=world.child, term=world.term)
    assert caught.value.code == "no_supervision_standard"


def test_another_districts_standard_is_not_used(world):
    from tests import factories as f

    f.ChargingStandardFactory(unit=PER_SESSION, cap_amount=Decimal("1.00"))
    with pytest.raises(QuoteError) as caught:
        quote_for(child=world.child, term=world.term)
    assert caught.value.code == "no_supervision_standard"


# --- enrichment ------------------------------------------------------------------------


def test_enrichment_per_dated_session_plus_materials_once(world):
    standard(world, unit=PER_TERM, cap="300.00")
    cap = standard(world, kind=ENR, unit=PER_SESSION, cap="40.00", doc="甬发改〔2026〕8号")
    act = activity(world, price="30.00", materials="50.00", dates=WEDS)
    enrol(world, act)
    quote = quote_for(child=world.child, term=world.term)
    (line,) = enrichment(quote)
    assert (line.quantity, line.unit_price, line.amount) == (3, Decimal("30.00"), Decimal("90.00"))
    assert line.activity == act and line.standard == cap and not line.capped
    assert line.approval_document == "甬发改〔2026〕8号"
    (fee,) = materials(quote)
    assert fee.amount == Decimal("50.00") and fee.activity == act
    assert quote.total == Decimal("440.00")


def test_late_joiner_pays_only_sessions_from_joining(world):
    standard(world, unit=PER_TERM, cap="0.00")
    standard(world, kind=ENR, cap="40.00")
    enrol(world, activity(world, dates=WEDS), joined_on=D(2026, 9, 20))
    (line,) = enrichment(quote_for(child=world.child, term=world.term))
    assert line.quantity == 2 and line.amount == Decimal("60.00")
    assert line.first_date == D(2026, 9, 23)


def test_price_above_the_cap_is_capped_and_flagged(world):
    standard(world, unit=PER_TERM, cap="0.00")
    standard(world, kind=ENR, cap="40.00")
    enrol(world, activity(world, price="55.00", dates=WEDS))
    quote = quote_for(child=world.child, term=world.term)
    (line,) = enrichment(quote)
    assert line.capped and quote.any_capped
    assert line.unit_price == Decimal("40.00") and line.amount == Decimal("120.00")


def test_the_agreed_request_price_wins_over_the_course_price(world):
    standard(world, unit=PER_TERM, cap="0.00")
    standard(world, kind=ENR, cap="40.00")
    enrol(world, activity(world, price="30.00", request_price="35.00", dates=WEDS))
    (line,) = enrichment(quote_for(child=world.child, term=world.term))
    assert line.unit_price == Decimal("35.00") and line.amount == Decimal("105.00")


def test_new_enrichment_standard_mid_term_groups_lines_by_standard(world):
    standard(world, unit=PER_TERM, cap="0.00")
    old = standard(world, kind=ENR, cap="40.00", end=D(2026, 9, 20))
    new = standard(world, kind=ENR, cap="25.00", start=D(2026, 9, 21))
    enrol(world, activity(world, price="30.00", materials="8.00", dates=WEDS))
    quote = quote_for(child=world.child, term=world.term)
    first, second = enrichment(quote)
    assert (first.standard, first.quantity, first.unit_price, first.capped) == (
        old,
        1,
        Decimal("30.00"),
        False,
    )
    assert (second.standard, second.quantity, second.unit_price, second.capped) == (
        new,
        2,
        Decimal("25.00"),
        True,
    )
    assert len(materials(quote)) == 1
    assert quote.total == Decimal("88.00")  # 30 + 50 + 8


def test_waiting_withdrawn_and_other_terms_are_not_charged(world):
    from tests import factories as f

    standard(world, unit=PER_TERM, cap="0.00")
    standard(world, kind=ENR, cap="40.00")
    enrol(world, activity(world, dates=WEDS), status=Enrolment.Status.WAITING)
    enrol(world, activity(world, dates=WEDS), status=Enrolment.Status.WITHDRAWN)
    other_term = f.ActivityFactory(school=world.school, term=f.TermFactory())
    enrol(world, other_term)
    assert enrichment(quote_for(child=world.child, term=world.term)) == []


def test_no_sessions_left_charges_no_materials(world):
    standard(world, unit=PER_TERM, cap="0.00")
    standard(world, kind=ENR, cap="40.00")
    enrol(world, activity(world, materials="50.00", dates=WEDS), joined_on=D(2026, 10, 1))
    quote = quote_for(child=world.child, term=world.term)
    assert enrichment(quote) == [] and materials(quote) == []


def test_enrichment_without_a_per_session_standard_refuses(world):
    standard(world, unit=PER_TERM, cap="0.00")
    standard(world, kind=ENR, unit=PER_TERM, cap="400.00")
    enrol(world, activity(world, dates=WEDS))
    with pytest.raises(QuoteError) as caught:
        quote_for(child=world.child, term=world.term)
    assert caught.value.code == "no_enrichment_standard"
