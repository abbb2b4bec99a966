"""Download names keep the whole title (Chinese included) but can never name a path, split a
header or carry a character a file system refuses."""

from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse

from core.downloads import DOWNLOAD_NAME_MAX, download_name, set_download_name
from marketplace.courses.models import Course
from marketplace.vendors.models import Vendor
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def name_in(header: str) -> str:
    """The file name a Content-Disposition header carries (plain or RFC 5987 encoded)."""
    _, _, value = header.partition("; ")
    if value.startswith("filename*=utf-8''"):
        return unquote(value.removeprefix("filename*=utf-8''"))
    assert value.startswith('filename="') and value.endswith('"'), header
    return value[len('filename="') : -1]


# --- the helper ------------------------------------------------------------------------------


def test_a_chinese_title_is_kept_with_its_extension():
    assert download_name("办学许可证 2026", "pdf") == "办学许可证 2026.pdf"
    assert download_name("timetable-T00001", ".ics") == "timetable-T00001.ics"


def test_a_separator_is_replaced_not_cut_at():
    assert download_name("资质/证书 2026", "pdf") == "资质_证书 2026.pdf"
    assert download_name("资质\\证书", "pdf") == "资质_证书.pdf"


@pytest.mark.parametrize("title", ["..", ".", "../..", "/", "  ", "", "...", None])
def test_dots_and_separators_alone_cannot_make_a_path_and_fall_back_to_the_default(title):
    assert download_name(title, "pdf") == "download.pdf"
    assert download_name(title, "pdf", default="文件") == "文件.pdf"


def test_a_traversal_attempt_becomes_one_plain_name():
    name = download_name("../../etc/passwd")
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert name == "_.._etc_passwd"


def test_control_characters_and_crlf_are_removed():
    name = download_name("报告\r\nSet-Cookie: a=1\x00\x1b\x7f", "csv")
    assert not any(ord(c) < 32 or ord(c) == 127 for c in name)
    assert name.endswith(".csv") and name.startswith("报告")
    response = set_download_name(HttpResponse(), "报告\r\nX-Evil: 1", "csv")
    assert "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]


def test_characters_windows_forbids_are_replaced():
    assert download_name('a<b>c:d"e|f?g*h', "txt") == "a_b_c_d_e_f_g_h.txt"


def test_a_bidi_override_cannot_disguise_the_extension():
    # "\u202e" would show "invoice\u202efdp.exe" as "invoiceexe.pdf".
    assert "\u202e" not in download_name("invoice\u202efdp.exe", "pdf")


def test_dots_and_spaces_at_the_ends_are_trimmed():
    assert download_name(" . 报告 . ", "pdf") == "报告.pdf"


def test_a_windows_device_name_is_not_used_as_is():
    assert download_name("CON", "txt") != "CON.txt"
    assert download_name("con", "txt").lower() != "con.txt"


def test_the_extension_is_not_doubled_when_the_title_carries_it():
    assert download_name("大纲.PDF", "pdf") == "大纲.pdf"


def test_a_long_name_is_capped_and_keeps_its_extension():
    name = download_name("长" * 400, "pdf")
    assert len(name) <= DOWNLOAD_NAME_MAX
    assert name.endswith(".pdf") and name.startswith("长长")
    name = download_name("x" * 145 + ". " + "y" * 100, "pdf")
    assert len(name) <= DOWNLOAD_NAME_MAX and name.endswith("x.pdf")  # no dot or space left before it


def test_the_header_goes_through_rfc_5987_for_non_ascii():
    response = set_download_name(HttpResponse(), "资质/证书 2026", "pdf")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert name_in(response["Content-Disposition"]) == "资质_证书 2026.pdf"
    inline = set_download_name(HttpResponse(), "plan", "pdf", as_attachment=False)
    assert inline["Content-Disposition"] == 'inline; filename="plan.pdf"'


# --- end to end ------------------------------------------------------------------------------


@pytest.fixture
def vendor_world(db):
    district = f.DistrictFactory()
    vendor = f.VendorFactory(draft=True, district=district)
    return vendor, f.VendorMemberFactory(vendor=vendor).user


def test_a_vendor_documents_download_name_carries_its_whole_title(client, vendor_world):
    vendor, clerk = vendor_world
    client.force_login(clerk)
    response = client.post(
        reverse("vendors:documents", args=[vendor.pk]),
        {"kind": "licence", "title": "资质/证书 2026", "file": pdf()},
    )
    assert response.status_code == 302
    document = vendor.documents.get()
    response = client.get(reverse("vendors:document_download", args=[vendor.pk, document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; ")
    assert name_in(response["Content-Disposition"]) == "资质_证书 2026.pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_course_documents_download_name_carries_its_whole_title(client, vendor_world):
    vendor, clerk = vendor_world
    Vendor.objects.filter(pk=vendor.pk).update(status=Vendor.Status.APPROVED)
    course = f.CourseFactory(vendor=vendor, review_status=Course.ReviewStatus.DRAFT)
    client.force_login(clerk)
    response = client.post(
        reverse("courses:vendor_course_document_add", args=[vendor.pk, course.pk]),
        {"title": "教学大纲/第一版", "file": pdf("syllabus.pdf")},
    )
    assert response.status_code == 302
    document = course.documents.get()
    response = client.get(reverse("reviews:course_document", args=[document.pk]))
    assert response.status_code == 200
    assert name_in(response["Content-Disposition"]) == "教学大纲_第一版.pdf"
