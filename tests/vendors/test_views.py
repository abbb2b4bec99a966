"""The vendor pages: registration, the clerk's application pages, document downloads, the
officer's queue, decisions and approved list, the bureau home fragment and the role chooser.
Another tenant's object, a wrong role or another district is a 404; refusals show their
reason and write nothing."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from marketplace.vendors import services
from marketplace.vendors.models import Instructor, Vendor, VendorDecision, VendorDocument
from people.roles.models import Membership, Role
from tests import factories as f
from tests.vendors import PDF, T, complete, form_data, pdf, png, profile, with_status

pytestmark = pytest.mark.django_db

S = Vendor.Status


def url(name, *args):
    return reverse(f"vendors:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return client


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def html(response) -> str:
    return response.content.decode()


def media_files(settings) -> list:
    """The stored document files (private: outside MEDIA_ROOT)."""
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def submitted(world) -> Vendor:
    complete(world)
    services.vendor_submit(vendor=world.vendor, user=world.clerk)
    return world.vendor


# --- registration ---------------------------------------------------------------------------


def test_register_page_offers_only_non_academic_categories(client, world):
    response = login(client, world.newcomer).get(url("register"))
    assert response.status_code == 200
    choices = [str(value) for value, _label in response.context["form"].fields["category"].choices if value]
    assert choices == [str(world.category.pk)]
    assert 'data-testid="register-button"' in html(response)


def test_register_creates_the_draft_and_opens_the_vendor_home(client, world):
    data = form_data(profile(world.category, world.district))
    response = login(client, world.newcomer).post(url("register"), data)
    vendor = Vendor.objects.get(credit_code=data["credit_code"])
    assert response.status_code == 302
    assert response.url == url("vendor_home", vendor.pk)
    assert vendor.status == S.DRAFT
    assert Membership.objects.filter(user=world.newcomer, vendor=vendor, role=Role.VENDOR_MEMBER).exists()
    home = client.get(response.url)
    assert home.status_code == 200
    text = html(home)
    assert 'data-testid="vendor-status" data-status="draft"' in text
    codes = [item.code for item in home.context["missing"]]
    assert codes == ["instructor", "licence_document"]
    assert 'data-testid="submit-button" ' not in text  # the submit button is disabled
    assert "disabled" in text.split('data-testid="submit-form"')[1].split("</form>")[0]


@pytest.mark.parametrize(
    "code, expected",
    [
        ("12345", "A unified social credit code has 18 characters."),
        ("91330100MA000000IX", "capital letters other than I, O, S, V and Z"),
        (f.credit_code(9)[:17] + ("0" if f.credit_code(9)[17] != "0" else "1"), "check character"),
    ],
)
def test_register_shows_a_bad_credit_code_and_writes_nothing(client, world, code, expected):
    before = Vendor.objects.count()
    data = form_data(profile(world.category, world.district, credit_code=code))
    response = login(client, world.newcomer).post(url("register"), data)
    assert response.status_code == 400
    assert expected in " ".join(response.context["form"].errors["credit_code"])
    assert 'data-testid="field-errors-credit_code"' in html(response)
    assert Vendor.objects.count() == before
    assert not Membership.objects.filter(user=world.newcomer).exists()


def test_register_shows_a_duplicate_credit_code(client, world):
    data = form_data(profile(world.category, world.district, credit_code=world.other_vendor.credit_code))
    response = login(client, world.newcomer).post(url("register"), data)
    assert response.status_code == 400
    assert "already registered" in " ".join(response.context["form"].errors["credit_code"])
    assert not Membership.objects.filter(user=world.newcomer).exists()


def test_register_refuses_an_academic_category(client, world):
    data = form_data(profile(world.academic, world.district))
    response = login(client, world.newcomer).post(url("register"), data)
    assert response.status_code == 400
    assert "category" in response.context["form"].errors
    assert not Vendor.objects.filter(credit_code=data["credit_code"]).exists()


def test_register_requires_the_contact(client, world):
    data = form_data(profile(world.category, world.district, contact_name="", contact_phone=""))
    response = login(client, world.newcomer).post(url("register"), data)
    assert response.status_code == 400
    assert {"contact_name", "contact_phone"} <= set(response.context["form"].errors)


def test_a_clerk_is_sent_to_their_own_vendor_instead_of_registering_again(client, world):
    response = login(client, world.clerk).get(url("register"))
    assert response.status_code == 302
    assert response.url == url("vendor_home", world.vendor.pk)
    response = client.post(url("register"), form_data(profile(world.category, world.district)))
    assert response.status_code == 302
    assert Vendor.objects.filter(memberships__user=world.clerk).count() == 1


def test_anonymous_visitors_must_sign_in(client, world):
    for target in (url("register"), url("vendor_home", world.vendor.pk), url("officer_queue")):
        response = client.get(target)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


def test_the_role_chooser_offers_registration_only_without_a_vendor(client, world):
    response = login(client, world.newcomer).get(reverse("roles:home"))
    assert response.status_code == 200
    assert f'href="{url("register")}"' in html(response)
    # A clerk who also is a parent chooses between roles, and is not offered to register.
    f.ParentFactory(user=world.clerk)
    response = login(client, world.clerk).get(reverse("roles:home"))
    assert response.status_code == 200
    assert 'data-testid="register-vendor"' not in html(response)


# --- the vendor home and the profile --------------------------------------------------------


def test_vendor_home_shows_the_latest_reason_and_the_decision_history(client, world):
    vendor = submitted(world)
    services.vendor_request_changes(vendor=vendor, officer=world.officer, reason="请补充安全保险证明")
    response = login(client, world.clerk).get(url("vendor_home", vendor.pk))
    text = html(response)
    assert 'data-status="changes_requested"' in text
    assert 'data-testid="latest-reason"' in text
    assert "请补充安全保险证明" in text
    assert text.count('data-testid="decision-row"') == 2
    assert str(world.officer) in text
    assert 'data-action="changes_requested"' in text
    assert f'href="{url("edit", vendor.pk)}"' in text


@pytest.mark.parametrize("who", ["other_clerk", "officer", "newcomer"])
def test_vendor_pages_are_404_for_anyone_but_the_vendors_members(client, world, who):
    instructor = f.InstructorFactory(vendor=world.vendor)
    complete(world)
    document = world.vendor.documents.get()
    client = login(client, getattr(world, who))
    v = world.vendor.pk
    for target in (
        url("vendor_home", v),
        url("edit", v),
        url("instructors", v),
        url("instructor_add", v),
        url("instructor_edit", v, instructor.pk),
        url("documents", v),
    ):
        assert client.get(target).status_code == 404, target
    for target in (
        url("edit", v),
        url("submit", v),
        url("instructor_add", v),
        url("instructor_delete", v, instructor.pk),
        url("documents", v),
        url("document_delete", v, document.pk),
    ):
        assert client.post(target, {"name": "x", "address": "x"}).status_code == 404, target
    assert Instructor.objects.filter(pk=instructor.pk).exists()
    assert VendorDocument.objects.filter(pk=document.pk).exists()
    assert Vendor.objects.get(pk=v).status == S.DRAFT


def test_edit_saves_the_profile(client, world):
    data = form_data(profile(world.category, world.district, credit_code=world.vendor.credit_code))
    data["address"] = "新址 9 号"
    response = login(client, world.clerk).post(url("edit", world.vendor.pk), data)
    assert response.status_code == 302
    assert Vendor.objects.get(pk=world.vendor.pk).address == "新址 9 号"


def test_edit_shows_a_duplicate_credit_code_and_keeps_the_profile(client, world):
    data = form_data(profile(world.category, world.district, credit_code=world.other_vendor.credit_code))
    response = login(client, world.clerk).post(url("edit", world.vendor.pk), data)
    assert response.status_code == 400
    assert "already registered" in " ".join(response.context["form"].errors["credit_code"])
    stored = Vendor.objects.get(pk=world.vendor.pk)
    assert stored.credit_code == world.vendor.credit_code
    assert stored.name == world.vendor.name


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.SUSPENDED])
def test_edit_is_closed_outside_draft_and_changes_requested(client, world, status):
    with_status(world.vendor, status)
    client = login(client, world.clerk)
    response = client.get(url("edit", world.vendor.pk))
    assert response.status_code == 302
    data = form_data(profile(world.category, world.district, credit_code=world.vendor.credit_code))
    response = client.post(url("edit", world.vendor.pk), data, follow=True)
    assert any("cannot be changed" in m for m in page_messages(response))
    assert Vendor.objects.get(pk=world.vendor.pk).address == "文二路 1 号"


# --- instructors ----------------------------------------------------------------------------


def instructor_post(name="陈教练", windows=(), subjects=(), **extra):
    data = {
        "name": name,
        "qualifications": "国家二级运动员",
        "max_sessions": "6",
        "windows-TOTAL_FORMS": str(len(windows)),
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "28",
        "subjects": [s.pk for s in subjects],
    }
    for i, (day, start, end) in enumerate(windows):
        data.update({f"windows-{i}-weekday": str(day), f"windows-{i}-start": start, f"windows-{i}-end": end})
    data.update(extra)
    return data


def test_add_an_instructor_with_availability(client, world):
    subject = f.SubjectFactory()
    data = instructor_post(
        windows=[(0, "15:00", "16:30"), (2, "16:00", "18:00"), (0, "", "")], subjects=[subject]
    )
    data.update({"windows-2-weekday": "0"})  # an untouched extra row is ignored
    response = login(client, world.clerk).post(url("instructor_add", world.vendor.pk), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    instructor = world.vendor.instructors.get()
    assert instructor.name == "陈教练"
    assert instructor.max_sessions == 6
    assert list(instructor.subjects.all()) == [subject]
    assert [str(w) for w in instructor.availability.all()] == ["Monday 15:00–16:30", "Wednesday 16:00–18:00"]
    listing = html(client.get(url("instructors", world.vendor.pk)))
    assert "Monday 15:00–16:30" in listing
    assert 'data-testid="instructor-edit"' in listing


def test_overlapping_windows_are_shown_and_nothing_is_written(client, world):
    data = instructor_post(windows=[(1, "15:00", "17:00"), (1, "16:00", "18:00")])
    response = login(client, world.clerk).post(url("instructor_add", world.vendor.pk), data)
    assert response.status_code == 400
    assert "overlap" in " ".join(response.context["formset"].non_form_errors())
    assert 'data-testid="formset-errors"' in html(response)
    assert not world.vendor.instructors.exists()


def test_a_window_ending_before_it_starts_is_shown(client, world):
    data = instructor_post(windows=[(1, "17:00", "15:00")])
    response = login(client, world.clerk).post(url("instructor_add", world.vendor.pk), data)
    assert response.status_code == 400
    assert 'data-testid="window-errors"' in html(response)
    assert not world.vendor.instructors.exists()


def test_edit_and_remove_an_instructor(client, world):
    instructor = f.InstructorFactory(vendor=world.vendor, name="旧名")
    f.InstructorAvailabilityFactory(instructor=instructor, weekday=4)
    client = login(client, world.clerk)
    page = client.get(url("instructor_edit", world.vendor.pk, instructor.pk))
    assert page.status_code == 200
    assert page.context["formset"].initial[0]["weekday"] == 4
    data = instructor_post(name="新名", windows=[(3, "15:00", "16:00")])
    assert client.post(url("instructor_edit", world.vendor.pk, instructor.pk), data).status_code == 302
    instructor.refresh_from_db()
    assert instructor.name == "新名"
    assert list(instructor.availability.values_list("weekday", flat=True)) == [3]
    response = client.post(url("instructor_delete", world.vendor.pk, instructor.pk))
    assert response.status_code == 302
    assert not Instructor.objects.filter(pk=instructor.pk).exists()


def test_unchanged_windows_are_kept_and_ticked_ones_removed(client, world):
    instructor = f.InstructorFactory(vendor=world.vendor, name="老师")
    f.InstructorAvailabilityFactory(instructor=instructor, weekday=1, start=T(15, 0), end=T(16, 0))
    f.InstructorAvailabilityFactory(instructor=instructor, weekday=3, start=T(15, 0), end=T(16, 0))
    client = login(client, world.clerk)
    page = client.get(url("instructor_edit", world.vendor.pk, instructor.pk))
    formset = page.context["formset"]
    assert formset.initial_form_count() == 2
    assert len(formset.forms) == 4  # two windows and two blank rows
    data = instructor_post(name="老师")
    data.update({"windows-TOTAL_FORMS": "4", "windows-INITIAL_FORMS": "2"})
    data.update({"windows-0-weekday": "1", "windows-0-start": "15:00", "windows-0-end": "16:00"})
    data.update({"windows-1-weekday": "3", "windows-1-start": "15:00", "windows-1-end": "16:00"})
    data.update({"windows-2-weekday": "0", "windows-3-weekday": ""})  # blank rows as a browser sends them
    response = client.post(url("instructor_edit", world.vendor.pk, instructor.pk), data)
    assert response.status_code == 302
    assert sorted(instructor.availability.values_list("weekday", flat=True)) == [1, 3]
    data["windows-1-DELETE"] = "on"
    assert client.post(url("instructor_edit", world.vendor.pk, instructor.pk), data).status_code == 302
    assert list(instructor.availability.values_list("weekday", flat=True)) == [1]


def test_another_vendors_instructor_is_404_under_my_vendor(client, world):
    foreign = f.InstructorFactory(vendor=world.other_vendor, name="别家")
    client = login(client, world.clerk)
    assert client.get(url("instructor_edit", world.vendor.pk, foreign.pk)).status_code == 404
    assert (
        client.post(url("instructor_edit", world.vendor.pk, foreign.pk), instructor_post()).status_code == 404
    )
    assert client.post(url("instructor_delete", world.vendor.pk, foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "别家"


def test_instructors_of_an_approved_vendor_stay_editable(client, world):
    with_status(world.vendor, S.APPROVED)
    client = login(client, world.clerk)
    assert 'data-testid="instructor-add"' in html(client.get(url("instructors", world.vendor.pk)))
    data = instructor_post(windows=[(0, "15:00", "16:00")])
    assert client.post(url("instructor_add", world.vendor.pk), data).status_code == 302
    assert world.vendor.instructors.count() == 1


def test_instructors_of_a_submitted_vendor_are_locked(client, world):
    vendor = submitted(world)
    instructor = vendor.instructors.get()
    client = login(client, world.clerk)
    listing = html(client.get(url("instructors", vendor.pk)))
    assert 'data-testid="instructors-locked"' in listing
    assert 'data-testid="instructor-delete"' not in listing
    response = client.post(url("instructor_add", vendor.pk), instructor_post(name="偷加"), follow=True)
    assert any("cannot be changed now" in m for m in page_messages(response))
    response = client.post(url("instructor_delete", vendor.pk, instructor.pk), follow=True)
    assert any("cannot be changed now" in m for m in page_messages(response))
    assert list(vendor.instructors.all()) == [instructor]


# --- documents ------------------------------------------------------------------------------


def test_upload_a_document_and_download_it(client, world, settings):
    client = login(client, world.clerk)
    response = client.post(
        url("documents", world.vendor.pk), {"kind": "licence", "title": "办学许可证", "file": pdf()}
    )
    assert response.status_code == 302
    document = world.vendor.documents.get()
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    listing = html(client.get(url("documents", world.vendor.pk)))
    download = url("document_download", world.vendor.pk, document.pk)
    assert f'href="{download}"' in listing
    assert settings.MEDIA_URL not in listing  # never a public media URL (the file has none)
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "upload, expected",
    [
        (lambda: pdf("licence.docx"), "“licence.docx” is not an accepted file type"),
        (lambda: pdf("scan.jpg"), "“scan.jpg” is not a valid PDF or image file"),
        (lambda: png("fake.png", b"GIF89a" + b"\x00" * 20), "“fake.png” is not a valid PDF or image file"),
    ],
)
def test_a_refused_upload_names_the_file_and_writes_nothing(client, world, settings, upload, expected):
    response = login(client, world.clerk).post(
        url("documents", world.vendor.pk), {"kind": "licence", "title": "许可证", "file": upload()}
    )
    assert response.status_code == 400
    assert expected in " ".join(response.context["form"].errors["file"])
    assert escape(expected) in html(response)
    assert not VendorDocument.objects.exists()
    assert media_files(settings) == []


@override_settings(DOCUMENT_MAX_BYTES=1024)
def test_an_oversize_upload_is_refused(client, world, settings):
    response = login(client, world.clerk).post(
        url("documents", world.vendor.pk),
        {"kind": "licence", "title": "许可证", "file": pdf("huge.pdf", PDF + b"0" * 2048)},
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert "“huge.pdf” is" in errors
    assert "the largest accepted file is 1.0" in errors
    assert not VendorDocument.objects.exists()
    assert media_files(settings) == []


def test_an_instructor_of_another_vendor_cannot_be_chosen(client, world):
    foreign = f.InstructorFactory(vendor=world.other_vendor)
    response = login(client, world.clerk).post(
        url("documents", world.vendor.pk),
        {"kind": "qualification", "title": "证书", "instructor": foreign.pk, "file": pdf()},
    )
    assert response.status_code == 400
    assert "instructor" in response.context["form"].errors
    assert not VendorDocument.objects.exists()


def test_delete_a_document(client, world, settings, django_capture_on_commit_callbacks):
    complete(world)
    document = world.vendor.documents.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, world.clerk).post(url("document_delete", world.vendor.pk, document.pk))
    assert response.status_code == 302
    assert not VendorDocument.objects.exists()
    assert media_files(settings) == []


def test_documents_of_a_submitted_vendor_are_locked(client, world, settings):
    vendor = submitted(world)
    document = vendor.documents.get()
    client = login(client, world.clerk)
    listing = html(client.get(url("documents", vendor.pk)))
    assert 'data-testid="documents-locked"' in listing
    assert 'data-testid="document-form"' not in listing
    response = client.post(url("documents", vendor.pk), {"kind": "other", "title": "补充", "file": png()})
    assert response.status_code == 400
    assert not vendor.documents.exclude(pk=document.pk).exists()
    response = client.post(url("document_delete", vendor.pk, document.pk), follow=True)
    assert any("can be changed only as a draft" in m for m in page_messages(response))
    assert VendorDocument.objects.filter(pk=document.pk).exists()
    assert len(media_files(settings)) == 1


def test_another_vendors_document_is_404(client, world):
    complete(world)
    document = world.vendor.documents.get()
    client = login(client, world.other_clerk)
    other = world.other_vendor.pk
    assert client.get(url("document_download", other, document.pk)).status_code == 404
    assert client.post(url("document_delete", other, document.pk)).status_code == 404
    assert client.get(url("document_download", world.vendor.pk, document.pk)).status_code == 404
    assert VendorDocument.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("who, status", [("officer", 200), ("city_officer", 200), ("foreign_officer", 404)])
def test_officers_download_documents_only_in_their_districts(client, world, who, status):
    complete(world)
    document = world.vendor.documents.get()
    response = login(client, getattr(world, who)).get(url("document_download", world.vendor.pk, document.pk))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_a_missing_file_is_404(client, world):
    complete(world)
    document = world.vendor.documents.get()
    document.file.storage.delete(document.file.name)
    assert (
        login(client, world.clerk).get(url("document_download", world.vendor.pk, document.pk)).status_code
        == 404
    )


# --- submission -----------------------------------------------------------------------------


def test_submit_an_incomplete_application_lists_what_is_missing(client, world):
    response = login(client, world.clerk).post(url("submit", world.vendor.pk), follow=True)
    text = " ".join(page_messages(response))
    assert "Add at least one instructor." in text
    assert "Upload the school-running licence" in text
    assert Vendor.objects.get(pk=world.vendor.pk).status == S.DRAFT
    assert not VendorDecision.objects.exists()


def test_submit_a_complete_application(client, world):
    complete(world)
    client = login(client, world.clerk)
    home = client.get(url("vendor_home", world.vendor.pk))
    assert 'data-testid="checklist-ok"' in html(home)
    response = client.post(url("submit", world.vendor.pk), follow=True)
    assert Vendor.objects.get(pk=world.vendor.pk).status == S.SUBMITTED
    text = html(response)
    assert 'data-status="submitted"' in text
    assert 'data-testid="under-review"' in text
    assert 'data-testid="submit-form"' not in text
    assert world.vendor.decisions.get().action == "submitted"


def test_submit_twice_is_refused(client, world):
    vendor = submitted(world)
    response = login(client, world.clerk).post(url("submit", vendor.pk), follow=True)
    assert any("cannot be submitted" in m for m in page_messages(response))
    assert vendor.decisions.count() == 1


# --- the officer's side ---------------------------------------------------------------------


def test_the_queue_lists_submitted_vendors_of_the_officers_districts(client, world):
    vendor = submitted(world)
    foreign = f.VendorFactory(status=S.SUBMITTED, district=world.other_district, category=world.category)
    response = login(client, world.officer).get(url("officer_queue"))
    assert response.status_code == 200
    assert list(response.context["vendors"]) == [vendor]
    assert response.context["vendors"][0].instructor_count == 1
    assert f'href="{url("officer_detail", vendor.pk)}"' in html(response)
    city = login(client, world.city_officer).get(url("officer_queue"))
    assert set(city.context["vendors"]) == {vendor, foreign}
    filtered = client.get(url("officer_queue"), {"district": world.other_district.pk})
    assert list(filtered.context["vendors"]) == [foreign]


@pytest.mark.parametrize("who", ["clerk", "newcomer"])
def test_officer_pages_are_404_for_non_officers(client, world, who):
    vendor = submitted(world)
    client = login(client, getattr(world, who))
    assert client.get(url("officer_queue")).status_code == 404
    assert client.get(url("approved_list")).status_code == 404
    assert client.get(url("officer_detail", vendor.pk)).status_code == 404
    assert client.post(url("officer_decide", vendor.pk), {"action": "approved"}).status_code == 404
    assert Vendor.objects.get(pk=vendor.pk).status == S.SUBMITTED


def test_an_officer_of_another_district_gets_404(client, world):
    vendor = submitted(world)
    client = login(client, world.foreign_officer)
    assert list(client.get(url("officer_queue")).context["vendors"]) == []
    assert client.get(url("officer_detail", vendor.pk)).status_code == 404
    assert client.post(url("officer_decide", vendor.pk), {"action": "approved"}).status_code == 404
    assert Vendor.objects.get(pk=vendor.pk).status == S.SUBMITTED
    assert vendor.decisions.count() == 1


def test_the_officer_page_shows_the_application_and_its_decisions(client, world):
    vendor = submitted(world)
    response = login(client, world.officer).get(url("officer_detail", vendor.pk))
    assert response.status_code == 200
    text = html(response)
    for action in ("approved", "rejected", "changes_requested"):
        assert f'data-testid="decide-{action}"' in text
    assert 'data-testid="decide-suspended"' not in text
    assert vendor.credit_code in text
    assert "张教练" in text
    document = vendor.documents.get()
    assert f'href="{url("document_download", vendor.pk, document.pk)}"' in text


def test_an_officer_approves(client, world, changed):
    vendor = submitted(world)
    changed.clear()
    response = login(client, world.officer).post(url("officer_decide", vendor.pk), {"action": "approved"})
    assert response.status_code == 302
    assert Vendor.objects.get(pk=vendor.pk).status == S.APPROVED
    decision = vendor.decisions.order_by("-pk").first()
    assert (decision.action, decision.actor) == ("approved", world.officer)
    assert changed == [vendor.pk]
    page = client.get(response.url)
    assert 'data-testid="decide-suspended"' in html(page)
    assert 'data-testid="decide-revoked"' in html(page)


@pytest.mark.parametrize("action", ["rejected", "changes_requested"])
def test_reject_and_request_changes_need_a_reason(client, world, action):
    vendor = submitted(world)
    client = login(client, world.officer)
    response = client.post(url("officer_decide", vendor.pk), {"action": action, "reason": "  "})
    assert response.status_code == 400
    assert 'data-testid="field-errors-reason"' in html(response)
    assert Vendor.objects.get(pk=vendor.pk).status == S.SUBMITTED
    assert vendor.decisions.count() == 1
    response = client.post(url("officer_decide", vendor.pk), {"action": action, "reason": "材料不全"})
    assert response.status_code == 302
    assert Vendor.objects.get(pk=vendor.pk).status == action
    assert vendor.decisions.order_by("-pk").first().reason == "材料不全"


def test_an_invalid_transition_is_shown_and_writes_nothing(client, world):
    response = login(client, world.officer).post(
        url("officer_decide", world.vendor.pk), {"action": "approved"}
    )
    assert response.status_code == 400
    assert "Only a submitted application can be approved" in html(response)
    assert 'data-testid="no-actions"' in html(response)
    assert Vendor.objects.get(pk=world.vendor.pk).status == S.DRAFT
    assert not VendorDecision.objects.exists()


def test_an_unknown_action_is_refused(client, world):
    vendor = submitted(world)
    response = login(client, world.officer).post(url("officer_decide", vendor.pk), {"action": "submitted"})
    assert response.status_code == 400
    assert Vendor.objects.get(pk=vendor.pk).status == S.SUBMITTED


def test_decide_accepts_only_post(client, world):
    assert login(client, world.officer).get(url("officer_decide", world.vendor.pk)).status_code == 405


def test_suspend_reinstate_and_revoke_from_the_officer_page(client, world):
    with_status(world.vendor, S.APPROVED)
    client = login(client, world.officer)
    v = world.vendor.pk
    assert client.post(url("officer_decide", v), {"action": "suspended", "reason": ""}).status_code == 400
    assert (
        client.post(url("officer_decide", v), {"action": "suspended", "reason": "投诉核查"}).status_code
        == 302
    )
    assert Vendor.objects.get(pk=v).status == S.SUSPENDED
    assert 'data-testid="decide-reinstated"' in html(client.get(url("officer_detail", v)))
    assert client.post(url("officer_decide", v), {"action": "reinstated"}).status_code == 302
    assert Vendor.objects.get(pk=v).status == S.APPROVED
    # Revoking asks to confirm on its own page first.
    response = client.post(url("officer_decide", v), {"action": "revoked", "reason": "吊销"})
    assert response.url == reverse("portal:officer_revoke", args=[v])
    assert Vendor.objects.get(pk=v).status == S.APPROVED
    assert client.post(response.url, {"reason": "吊销", "confirm": "on"}).status_code == 302
    assert Vendor.objects.get(pk=v).status == S.REVOKED
    assert list(world.vendor.decisions.values_list("action", flat=True)) == [
        "suspended",
        "reinstated",
        "revoked",
    ]
    response = client.post(url("officer_decide", v), {"action": "reinstated"})
    assert response.status_code == 400
    assert "Only a suspended vendor can be reinstated" in html(response)
    # The vendor sees the status and the reason.
    home = html(login(client, world.clerk).get(url("vendor_home", v)))
    assert 'data-status="revoked"' in home
    assert "吊销" in home


def test_the_approved_list_filters_by_district_category_and_status(client, world):
    arts = f.CategoryFactory(code="arts")
    a = with_status(world.vendor, S.APPROVED)
    b = f.VendorFactory(status=S.APPROVED, district=world.district, category=arts)
    c = f.VendorFactory(status=S.SUSPENDED, district=world.district, category=world.category)
    d = f.VendorFactory(status=S.APPROVED, district=world.other_district, category=world.category)
    client = login(client, world.officer)
    assert set(client.get(url("approved_list")).context["vendors"]) == {a, b}
    assert list(client.get(url("approved_list"), {"category": arts.pk}).context["vendors"]) == [b]
    assert list(client.get(url("approved_list"), {"status": "suspended"}).context["vendors"]) == [c]
    # Another district is not offered to a district officer, so it filters nothing in.
    response = client.get(url("approved_list"), {"district": world.other_district.pk})
    assert d not in response.context["vendors"]
    client = login(client, world.city_officer)
    assert set(client.get(url("approved_list")).context["vendors"]) == {a, b, d}
    response = client.get(url("approved_list"), {"district": world.other_district.pk})
    assert list(response.context["vendors"]) == [d]
    assert 'data-testid="vendor-row"' in html(response)


# --- the bureau home fragment ---------------------------------------------------------------


def test_the_bureau_home_shows_vendor_counts_and_links(client, world):
    submitted(world)
    f.VendorFactory(status=S.APPROVED, district=world.district, category=world.category)
    f.VendorFactory(status=S.SUSPENDED, district=world.other_district, category=world.category)
    response = login(client, world.officer).get(reverse("portal:bureau_district", args=[world.district.pk]))
    assert response.status_code == 200
    text = html(response)
    assert 'data-testid="vendors-submitted">1<' in text
    assert 'data-testid="vendors-approved">1<' in text
    assert 'data-testid="vendors-suspended">0<' in text
    assert f'href="{url("officer_queue")}?district={world.district.pk}"' in text
    assert f'href="{url("approved_list")}?district={world.district.pk}"' in text
    response = login(client, world.city_officer).get(reverse("portal:bureau_city"))
    text = html(response)
    assert 'data-testid="vendors-suspended">1<' in text
    assert f'href="{url("officer_queue")}"' in text
