"""Role routing after login, each role's home page, and tenancy (another tenant's page is a 404)."""

import pytest
from django.urls import reverse

from people.roles.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def home_of(m) -> str:
    if m.role == Role.BUREAU_OFFICER:
        if m.district_id is None:
            return reverse("portal:bureau_city")
        return reverse("portal:bureau_district", args=[m.district_id])
    if m.role == Role.SCHOOL_ADMIN:
        return reverse("portal:school_home", args=[m.school_id])
    if m.role == Role.TEACHER:
        return reverse("portal:teacher_home", args=[m.staff_id])
    if m.role == Role.VENDOR_MEMBER:
        return reverse("vendors:vendor_home", args=[m.vendor_id])
    if m.role == Role.COURSE_REVIEWER:
        return reverse("reviews:home")
    return reverse("portal:household_home", args=[m.household_id])


ROLE_FACTORIES = {
    "city officer": lambda: f.BureauOfficerFactory(),
    "district officer": lambda: f.BureauOfficerFactory(district=f.DistrictFactory()),
    "school admin": lambda: f.SchoolAdminFactory(),
    "teacher": lambda: f.TeacherFactory(),
    "vendor member": lambda: f.VendorMemberFactory(),
    "course reviewer": lambda: f.CourseReviewerFactory(district=f.DistrictFactory()),
    "parent": lambda: f.ParentFactory(),
}


@pytest.mark.parametrize("kind", ROLE_FACTORIES)
def test_a_single_role_goes_straight_to_its_home(client, kind):
    membership = ROLE_FACTORIES[kind]()
    client.force_login(membership.user)
    response = client.get(reverse("roles:home"))
    assert response.status_code == 302
    assert response.url == home_of(membership)
    assert client.get(response.url).status_code == 200


def test_several_roles_get_a_choice_of_homes(client):
    teacher = f.TeacherFactory()
    parent = f.ParentFactory(user=teacher.user)
    client.force_login(teacher.user)
    response = client.get(reverse("roles:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert home_of(teacher) in body
    assert home_of(parent) in body


def test_no_role_yet_is_explained(client):
    client.force_login(f.UserFactory())
    response = client.get(reverse("roles:home"))
    assert response.status_code == 200
    assert 'data-testid="no-role"' in response.content.decode()


def test_after_login_the_adapter_sends_people_to_role_home(client):
    from allauth.account.models import EmailAddress

    membership = f.SchoolAdminFactory()
    EmailAddress.objects.create(
        user=membership.user, email=membership.user.email, verified=True, primary=True
    )
    response = client.post(
        reverse("account_login"), {"login": membership.user.email, "password": f.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == home_of(membership)


@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("roles:home"),
        lambda: reverse("portal:bureau_city"),
        lambda: reverse("portal:school_home", args=[f.SchoolFactory().pk]),
        lambda: reverse("portal:household_home", args=[f.HouseholdFactory().pk]),
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_school_admin_sees_own_school_but_not_another(client):
    mine = f.SchoolAdminFactory()
    other = f.SchoolFactory()
    client.force_login(mine.user)
    assert client.get(reverse("portal:school_home", args=[mine.school_id])).status_code == 200
    assert client.get(reverse("portal:school_home", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:school_home", args=[999999])).status_code == 404


def test_teacher_sees_own_record_only(client):
    mine = f.TeacherFactory()
    colleague = f.StaffMemberFactory(school=mine.school)
    client.force_login(mine.user)
    assert client.get(reverse("portal:teacher_home", args=[mine.staff_id])).status_code == 200
    assert client.get(reverse("portal:teacher_home", args=[colleague.pk])).status_code == 404
    # A teacher is not the school's administrator.
    assert client.get(reverse("portal:school_home", args=[mine.school_id])).status_code == 404


def test_school_admin_may_open_their_staff_pages(client):
    admin = f.SchoolAdminFactory()
    staff = f.StaffMemberFactory(school=admin.school)
    elsewhere = f.StaffMemberFactory()
    client.force_login(admin.user)
    assert client.get(reverse("portal:teacher_home", args=[staff.pk])).status_code == 200
    assert client.get(reverse("portal:teacher_home", args=[elsewhere.pk])).status_code == 404


def test_vendor_member_sees_own_vendor_only(client):
    mine = f.VendorMemberFactory()
    other = f.VendorFactory()
    client.force_login(mine.user)
    assert client.get(reverse("vendors:vendor_home", args=[mine.vendor_id])).status_code == 200
    assert client.get(reverse("vendors:vendor_home", args=[other.pk])).status_code == 404


def test_parent_sees_own_household_only(client):
    mine = f.ParentFactory()
    other = f.HouseholdFactory()
    client.force_login(mine.user)
    assert client.get(reverse("portal:household_home", args=[mine.household_id])).status_code == 200
    assert client.get(reverse("portal:household_home", args=[other.pk])).status_code == 404


def test_district_officer_sees_own_district_not_others_nor_the_city(client):
    mine = f.BureauOfficerFactory(district=f.DistrictFactory())
    other = f.DistrictFactory()
    client.force_login(mine.user)
    assert client.get(reverse("portal:bureau_district", args=[mine.district_id])).status_code == 200
    assert client.get(reverse("portal:bureau_district", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:bureau_city")).status_code == 404


def test_reviewer_page_needs_the_reviewer_role(client):
    client.force_login(f.SchoolAdminFactory().user)
    assert client.get(reverse("reviews:home")).status_code == 404


def test_bureau_page_shows_only_its_districts_schools(client):
    district = f.DistrictFactory()
    officer = f.BureauOfficerFactory(district=district)
    inside = f.SchoolFactory(district=district)
    outside = f.SchoolFactory()
    f.SchoolClassFactory(school=inside, size=41)
    client.force_login(officer.user)
    body = client.get(reverse("portal:bureau_district", args=[district.pk])).content.decode()
    assert inside.name in body
    assert outside.name not in body
    assert ">41<" in body.replace(" ", "")


def test_reviewer_sees_submitted_courses_of_their_district_only(client):
    from marketplace.courses.models import Course

    district = f.DistrictFactory()
    reviewer = f.CourseReviewerFactory(district=district)
    mine = f.CourseFactory(
        vendor=f.VendorFactory(district=district), review_status=Course.ReviewStatus.SUBMITTED
    )
    elsewhere = f.CourseFactory(review_status=Course.ReviewStatus.SUBMITTED)
    client.force_login(reviewer.user)
    body = client.get(reverse("reviews:home")).content.decode()
    assert mine.title in body
    assert elsewhere.title not in body


def test_parent_home_lists_children_and_activities_open_to_their_grade(client):
    from schools.selectors import term_current

    parent = f.ParentFactory()
    term = f.TermFactory()
    assert term_current() == term
    school_class = f.SchoolClassFactory(grade=3)
    child = f.ChildFactory(household=parent.household, school_class=school_class)
    open_to_grade = f.SchoolActivityFactory(school=school_class.school, term=term, grade_min=3, grade_max=4)
    too_old = f.SchoolActivityFactory(school=school_class.school, term=term, grade_min=5, grade_max=6)
    client.force_login(parent.user)
    body = client.get(reverse("portal:household_home", args=[parent.household_id])).content.decode()
    assert child.name in body
    assert open_to_grade.name in body
    assert too_old.name not in body


def test_school_home_query_count_does_not_grow_with_the_school(client, django_assert_max_num_queries):
    admin = f.SchoolAdminFactory()
    for _ in range(15):
        f.StaffMemberFactory(school=admin.school)
        f.SchoolClassFactory(school=admin.school)
    client.force_login(admin.user)
    client.get(reverse("portal:school_home", args=[admin.school_id]))  # warm caches
    with django_assert_max_num_queries(20):
        assert client.get(reverse("portal:school_home", args=[admin.school_id])).status_code == 200
