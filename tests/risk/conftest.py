"""Fixtures of the risk grade tests.

``world`` is the ledger tests' world (one school and term, a vendor's activity with two
children placed; see ``tests.ledger``) with officers around the vendor's district and a
``sharp`` policy in which every point moves the grade: public institutions score 0 and
companies 1; 2 pupils or ¥500 held score 1 (3 pupils or ¥1,000: 2); any refund owed 1
(¥100: 2); one open complaint 1 (three: 2); A is 0, B 1, C 2, D 3 and more.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from marketplace.risk.models import RiskPolicy
from marketplace.vendors.models import Vendor
from tests import factories as f
from tests.ledger import build_world


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def fresh(user):
    """The user as a view would load it (no memberships cached)."""
    user.__dict__.pop("_memberships_cache", None)
    return user


@pytest.fixture
def sharp_policy(db):
    policy = RiskPolicy.current()
    values = {
        "points_public": 0,
        "points_non_profit": 0,
        "points_company": 1,
        "points_individual": 2,
        "pupils_threshold_1": 2,
        "pupils_threshold_2": 3,
        "held_threshold_1": Decimal("500.00"),
        "held_threshold_2": Decimal("1000.00"),
        "prepaid_points_1": 1,
        "prepaid_points_2": 2,
        "refunds_threshold_1": Decimal("0.01"),
        "refunds_threshold_2": Decimal("100.00"),
        "refunds_points_1": 1,
        "refunds_points_2": 2,
        "complaints_threshold_1": 1,
        "complaints_threshold_2": 3,
        "complaints_points_1": 1,
        "complaints_points_2": 2,
        "suspended_is_d": True,
        "band_a_max": 0,
        "band_b_max": 1,
        "band_c_max": 2,
    }
    for name, value in values.items():
        setattr(policy, name, value)
    policy.save()
    return policy


@pytest.fixture
def world(db, sharp_policy):
    w = build_world()
    Vendor.objects.filter(pk=w.vendor.pk).update(institution_type=Vendor.InstitutionType.PUBLIC)
    w.vendor.refresh_from_db()
    district = w.vendor.district
    other_district = f.DistrictFactory()
    w.policy = sharp_policy
    w.district = district
    w.other_vendor = f.VendorFactory(district=other_district)
    w.officer = fresh(f.BureauOfficerFactory(district=district).user)
    w.city_officer = fresh(f.BureauOfficerFactory().user)
    w.foreign_officer = fresh(f.BureauOfficerFactory(district=other_district).user)
    w.school_admin = fresh(f.SchoolAdminFactory(school=w.school).user)
    return w


@pytest.fixture
def officers(world):
    return SimpleNamespace(local=world.officer, city=world.city_officer, foreign=world.foreign_officer)
