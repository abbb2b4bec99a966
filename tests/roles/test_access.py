"""The access helpers of ``people.roles.access``: the right member gets the object, and
everyone else gets a 404 that looks just like a missing object."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from marketplace.households.access import household_for_user_or_404
from marketplace.vendors.access import vendor_for_user_or_404
from people.accounts.models import User
from people.roles.access import (
    bureau_membership_or_404,
    has_role,
    memberships_of,
    require_role,
    reviewer_membership_or_404,
    roles_of,
    school_ids_for,
)
from people.roles.models import Role
from scheduling.staff.access import staff_for_user_or_404
from schools.access import school_for_user_or_404
from tests import factories as f

pytestmark = pytest.mark.django_db

MISSING_ID = 987_654_321


def fresh(user):
    """The user as a new request would load it (no memberships cached yet)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def district():
    return f.DistrictFactory()


@pytest.fixture
def school(district):
    return f.SchoolFactory(district=district)


@pytest.fixture
def other_school(district):
    return f.SchoolFactory(district=district)


@pytest.fixture
def city_officer():
    return fresh(f.BureauOfficerFactory().user)


@pytest.fixture
def district_officer(district):
    return fresh(f.BureauOfficerFactory(district=district).user)


@pytest.fixture
def other_district_officer():
    return fresh(f.BureauOfficerFactory(district=f.DistrictFactory()).user)


# --- memberships_of and the role questions -------------------------------------------------


def test_memberships_are_loaded_once_per_user_object(django_assert_num_queries, school):
    admin = f.SchoolAdminFactory(school=school)
    parent = f.ParentFactory(user=admin.user)
    user = fresh(admin.user)
    with django_assert_num_queries(1):
        memberships = memberships_of(user)
        assert memberships_of(user) is memberships
        assert {m.role for m in memberships} == {Role.SCHOOL_ADMIN, Role.PARENT}
        assert has_role(user, Role.SCHOOL_ADMIN)
        assert not has_role(user, Role.TEACHER)
        assert [m.pk for m in roles_of(user, Role.PARENT)] == [parent.pk]
        assert school_ids_for(user) == {school.pk}
        assert require_role(user, Role.SCHOOL_ADMIN)[0].school == school
        # The scopes come with the memberships (select_related).
        admin_membership = roles_of(user, Role.SCHOOL_ADMIN)[0]
        assert admin_membership.school.district.code == school.district.code
        assert roles_of(user, Role.PARENT)[0].household.name == parent.household.name


def test_anonymous_user_has_no_memberships(django_assert_num_queries):
    user = AnonymousUser()
    with django_assert_num_queries(0):
        assert memberships_of(user) == []
        assert not has_role(user, Role.PARENT)
    with pytest.raises(Http404):
        require_role(user, Role.PARENT)


def test_require_role(school):
    teacher = f.TeacherFactory(school=school)
    user = fresh(teacher.user)
    assert require_role(user, Role.TEACHER) == [teacher]
    with pytest.raises(Http404):
        require_role(user, Role.SCHOOL_ADMIN)
    with pytest.raises(Http404):
        require_role(fresh(f.UserFactory()), Role.TEACHER)


def test_roles_of_lists_every_membership_of_the_role(school, other_school):
    first = f.SchoolAdminFactory(school=school)
    second = f.SchoolAdminFactory(user=first.user, school=other_school)
    f.ParentFactory(user=first.user)
    user = fresh(first.user)
    assert {m.pk for m in roles_of(user, Role.SCHOOL_ADMIN)} == {first.pk, second.pk}
    assert school_ids_for(user) == {school.pk, other_school.pk}
    assert school_ids_for(user, roles=[Role.TEACHER]) == set()


def test_school_ids_for_other_roles(school, other_school):
    teacher = f.TeacherFactory(school=school)
    f.SchoolAdminFactory(user=teacher.user, school=other_school)
    user = fresh(teacher.user)
    assert school_ids_for(user) == {other_school.pk}
    assert school_ids_for(user, roles=[Role.TEACHER]) == {school.pk}
    assert school_ids_for(user, roles=[Role.TEACHER, Role.SCHOOL_ADMIN]) == {
        school.pk,
        other_school.pk,
    }


# --- school_for_user_or_404 ----------------------------------------------------------------


def test_school_admin_gets_their_school(school):
    user = fresh(f.SchoolAdminFactory(school=school).user)
    assert school_for_user_or_404(user, school.pk) == school


def test_school_admin_of_another_school_gets_404(school, other_school):
    user = fresh(f.SchoolAdminFactory(school=other_school).user)
    with pytest.raises(Http404):
        school_for_user_or_404(user, school.pk)
    with pytest.raises(Http404):
        school_for_user_or_404(user, school.pk, bureau=True)


def test_school_that_does_not_exist(school):
    user = fresh(f.SchoolAdminFactory(school=school).user)
    with pytest.raises(Http404):
        school_for_user_or_404(user, MISSING_ID)


def test_school_roles_argument(school):
    user = fresh(f.TeacherFactory(school=school).user)
    with pytest.raises(Http404):
        school_for_user_or_404(user, school.pk)  # administrators only by default
    assert school_for_user_or_404(user, school.pk, roles=[Role.TEACHER]) == school


def test_school_for_bureau_officers(school, city_officer, district_officer, other_district_officer):
    for officer in (city_officer, district_officer):
        assert school_for_user_or_404(officer, school.pk, bureau=True) == school
        with pytest.raises(Http404):
            school_for_user_or_404(officer, school.pk)  # bureau not asked for
    with pytest.raises(Http404):
        school_for_user_or_404(other_district_officer, school.pk, bureau=True)


def test_school_is_not_opened_by_other_roles_with_bureau(school):
    reviewer = fresh(f.CourseReviewerFactory().user)
    with pytest.raises(Http404):
        school_for_user_or_404(reviewer, school.pk, bureau=True)


# --- staff_for_user_or_404 -----------------------------------------------------------------


def test_teacher_gets_own_staff_record(school):
    teacher = f.TeacherFactory(school=school)
    assert staff_for_user_or_404(fresh(teacher.user), teacher.staff.pk) == teacher.staff


def test_school_admin_gets_staff_of_their_school(school):
    staff = f.StaffMemberFactory(school=school)
    admin = fresh(f.SchoolAdminFactory(school=school).user)
    assert staff_for_user_or_404(admin, staff.pk) == staff


def test_other_teacher_of_the_same_school_gets_404(school):
    teacher = f.TeacherFactory(school=school)
    colleague = fresh(f.TeacherFactory(school=school).user)
    with pytest.raises(Http404):
        staff_for_user_or_404(colleague, teacher.staff.pk)


def test_school_admin_of_another_school_gets_no_staff(school, other_school):
    staff = f.StaffMemberFactory(school=school)
    admin = fresh(f.SchoolAdminFactory(school=other_school).user)
    with pytest.raises(Http404):
        staff_for_user_or_404(admin, staff.pk)


def test_staff_that_does_not_exist(school):
    admin = fresh(f.SchoolAdminFactory(school=school).user)
    with pytest.raises(Http404):
        staff_for_user_or_404(admin, MISSING_ID)


# --- vendor_for_user_or_404 ----------------------------------------------------------------


@pytest.fixture
def vendor(district):
    return f.VendorFactory(district=district)


def test_vendor_member_gets_their_vendor(vendor):
    member = fresh(f.VendorMemberFactory(vendor=vendor).user)
    assert vendor_for_user_or_404(member, vendor.pk) == vendor


def test_member_of_another_vendor_gets_404(vendor):
    member = fresh(f.VendorMemberFactory().user)
    with pytest.raises(Http404):
        vendor_for_user_or_404(member, vendor.pk)
    with pytest.raises(Http404):
        vendor_for_user_or_404(member, vendor.pk, bureau=True)


def test_vendor_that_does_not_exist(vendor):
    member = fresh(f.VendorMemberFactory(vendor=vendor).user)
    with pytest.raises(Http404):
        vendor_for_user_or_404(member, MISSING_ID)


def test_vendor_for_bureau_officers(vendor, city_officer, district_officer, other_district_officer):
    for officer in (city_officer, district_officer):
        assert vendor_for_user_or_404(officer, vendor.pk, bureau=True) == vendor
        with pytest.raises(Http404):
            vendor_for_user_or_404(officer, vendor.pk)
    with pytest.raises(Http404):
        vendor_for_user_or_404(other_district_officer, vendor.pk, bureau=True)


# --- household_for_user_or_404 -------------------------------------------------------------


def test_parent_gets_their_household():
    parent = f.ParentFactory()
    assert household_for_user_or_404(fresh(parent.user), parent.household.pk) == parent.household


def test_parent_of_another_household_gets_404():
    household = f.HouseholdFactory()
    stranger = fresh(f.ParentFactory().user)
    with pytest.raises(Http404):
        household_for_user_or_404(stranger, household.pk)


def test_household_is_not_opened_by_officers(city_officer):
    household = f.HouseholdFactory()
    with pytest.raises(Http404):
        household_for_user_or_404(city_officer, household.pk)


def test_household_that_does_not_exist():
    parent = fresh(f.ParentFactory().user)
    with pytest.raises(Http404):
        household_for_user_or_404(parent, MISSING_ID)


# --- bureau_membership_or_404 --------------------------------------------------------------


def test_bureau_membership_of_the_city(city_officer, district):
    membership = bureau_membership_or_404(city_officer, None)
    assert membership.role == Role.BUREAU_OFFICER
    assert membership.district_id is None
    with pytest.raises(Http404):
        bureau_membership_or_404(city_officer, district.pk)


def test_bureau_membership_of_a_district(district_officer, district):
    membership = bureau_membership_or_404(district_officer, district.pk)
    assert membership.district == district
    with pytest.raises(Http404):
        bureau_membership_or_404(district_officer, None)
    with pytest.raises(Http404):
        bureau_membership_or_404(district_officer, f.DistrictFactory().pk)
    with pytest.raises(Http404):
        bureau_membership_or_404(district_officer, MISSING_ID)


def test_bureau_membership_needs_the_bureau_role(district):
    reviewer = fresh(f.CourseReviewerFactory(district=district).user)
    with pytest.raises(Http404):
        bureau_membership_or_404(reviewer, district.pk)


# --- reviewer_membership_or_404 ------------------------------------------------------------


def test_reviewer_gets_own_membership():
    reviewer = f.CourseReviewerFactory(district=f.DistrictFactory())
    assert reviewer_membership_or_404(fresh(reviewer.user), reviewer.pk) == reviewer


def test_reviewer_membership_of_another_user_gets_404():
    mine = f.CourseReviewerFactory()
    theirs = f.CourseReviewerFactory()
    with pytest.raises(Http404):
        reviewer_membership_or_404(fresh(mine.user), theirs.pk)


def test_reviewer_membership_id_of_another_role_gets_404():
    reviewer = f.CourseReviewerFactory()
    officer = f.BureauOfficerFactory(user=reviewer.user)
    with pytest.raises(Http404):
        reviewer_membership_or_404(fresh(reviewer.user), officer.pk)


def test_reviewer_membership_that_does_not_exist():
    reviewer = f.CourseReviewerFactory()
    with pytest.raises(Http404):
        reviewer_membership_or_404(fresh(reviewer.user), MISSING_ID)
