"""The logs refuse to be rewritten: an update or a delete, of one row or of a queryset, raises
``AppendOnlyError`` with the code ``append_only``; deleting the parent a log hangs from still
takes its rows along."""

from decimal import Decimal

import pytest
from django.db import models

from core.models import AppendOnlyError
from marketplace.ledger.models import LedgerEntry
from marketplace.reviews.models import CourseReview, ReviewScore
from marketplace.reviews.services import committee_for
from marketplace.risk.models import RiskAssessment
from marketplace.vendors.models import Vendor, VendorDecision
from tests import factories as f

pytestmark = pytest.mark.django_db


def refused(attempt) -> None:
    with pytest.raises(AppendOnlyError) as excinfo:
        attempt()
    assert excinfo.value.code == "append_only"


def assert_append_only(row, **change) -> None:
    """Every way of rewriting ``row`` (``change`` names new field values) is refused, and the
    stored row is as it was."""
    model = type(row)
    stored = model.objects.filter(pk=row.pk).values(*change).get()
    refused(lambda: model.objects.filter(pk=row.pk).update(**change))
    refused(lambda: model.objects.filter(pk=row.pk).delete())
    refused(lambda: model.objects.all().delete())
    for name, value in change.items():
        setattr(row, name, value)
    refused(lambda: model.objects.bulk_update([row], list(change)))
    refused(row.save)
    refused(lambda: row.save(update_fields=list(change)))
    refused(row.delete)
    assert model.objects.filter(pk=row.pk).values(*change).get() == stored


def decision(vendor=None) -> VendorDecision:
    return VendorDecision.objects.create(
        vendor=vendor or f.VendorFactory(),
        action=VendorDecision.Action.SUBMITTED,
        from_status="draft",
        to_status="submitted",
        actor=f.UserFactory(),
    )


def assessment(vendor=None) -> RiskAssessment:
    return RiskAssessment.objects.create(
        vendor=vendor or f.VendorFactory(), grade="A", trigger=RiskAssessment.Trigger.MANUAL
    )


def test_vendor_decisions_are_append_only():
    row = decision()
    assert_append_only(row, reason="changed")
    refused(lambda: row.vendor.decisions.all().delete())  # the related manager refuses too


def test_review_scores_are_append_only():
    course = f.CourseFactory(review_status="submitted")
    review = CourseReview.objects.create(
        course=course,
        committee=committee_for(course.vendor.district),
        round=1,
        rule="majority",
        quorum=3,
        pass_mark=60,
        max_total=100,
    )
    row = ReviewScore.objects.create(
        review=review, reviewer=f.UserFactory(), scores={}, total=80, recommendation="approve"
    )
    assert_append_only(row, comment="changed", total=10)


def test_risk_assessments_are_append_only():
    assert_append_only(assessment(), grade="D", score=99)


def test_ledger_entries_are_append_only():
    child = f.ChildFactory()
    row = LedgerEntry.objects.create(
        kind=LedgerEntry.Kind.PAID,
        household=child.household,
        child=child,
        school=child.school_class.school,
        amount=Decimal("30.00"),
    )
    assert_append_only(row, amount=Decimal("50.00"))


def test_deleting_a_vendor_takes_its_logs_along():
    vendor = f.VendorFactory()
    decision(vendor)
    assessment(vendor)
    vendor.delete()
    assert not Vendor.objects.filter(pk=vendor.pk).exists()
    assert not VendorDecision.objects.filter(vendor_id=vendor.pk).exists()
    assert not RiskAssessment.objects.filter(vendor_id=vendor.pk).exists()


def test_a_plain_queryset_is_the_escape_hatch():
    # What the demo reset uses to empty a log (``fixtures.demo._delete_all``).
    row = assessment()
    models.QuerySet(model=RiskAssessment).filter(pk=row.pk).delete()
    assert not RiskAssessment.objects.filter(pk=row.pk).exists()
