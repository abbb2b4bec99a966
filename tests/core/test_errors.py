"""One root for the domain's errors (``core.errors.DomainError``): a stable ``code`` on every
error, and one helper that puts a service's refusal on a form."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cms.sync import CmsSyncError
from core.errors import DomainError
from core.forms import add_service_error
from core.models import AppendOnlyError
from marketplace.course_requests.services import PurchaseError
from marketplace.courses.services import CourseError
from marketplace.enrolment.services import EnrolmentError
from marketplace.households.imports import PupilImportError, RowError
from marketplace.households.services import HouseholdError
from marketplace.reviews.services import ReviewError
from marketplace.risk.services import RiskError
from marketplace.vendors.services import VendorError
from scheduling.attendance.services import AttendanceError
from scheduling.rest.services import RestError
from scheduling.staff.services import AvailabilityError
from scheduling.timetables.publishing import PublishError
from scheduling.timetables.services import TimetableError

DOMAIN_ERRORS = [
    AppendOnlyError,
    AttendanceError,
    AvailabilityError,
    CmsSyncError,
    CourseError,
    EnrolmentError,
    HouseholdError,
    PublishError,
    PurchaseError,
    RestError,
    ReviewError,
    RiskError,
    TimetableError,
    VendorError,
]


@pytest.mark.parametrize("error_class", DOMAIN_ERRORS)
def test_every_domain_error_is_a_validation_error_with_a_code(error_class):
    assert issubclass(error_class, DomainError)
    assert issubclass(error_class, ValidationError)  # forms and handlers written for Django's
    assert error_class("refused").code == error_class.default_code
    assert error_class("refused", code="named").code == "named"


def test_the_code_of_a_refusal_about_fields():
    error = ReviewError({"pass_mark": [ValidationError("too high", code="pass_mark_high")]})
    assert error.code == "invalid"
    assert error.message_dict == {"pass_mark": ["too high"]}
    assert error.error_dict["pass_mark"][0].code == "pass_mark_high"
    assert VendorError.field_error("name", "taken", code="name_taken").code == "name_taken"
    assert PupilImportError([RowError(2, "name", "empty")]).code == "invalid"


def test_the_defaults_kept_from_before():
    assert PublishError("malformed").code == "invalid_solution"
    assert TimetableError("bad").code == "invalid"
    assert str(PublishError("malformed")) == "malformed"
    assert str(CmsSyncError("no home page")) == "no home page"  # the command prints it
    assert str(AppendOnlyError("rows are append-only")) == "rows are append-only"


class ExampleForm(forms.Form):
    name = forms.CharField()


def test_a_refusal_goes_on_its_field_or_on_top():
    form = ExampleForm({"name": "x"})
    assert form.is_valid()
    add_service_error(
        form,
        VendorError(
            {
                "name": [ValidationError("taken", code="name_taken")],
                "credit_code": [ValidationError("bad code")],  # not a field of this form
            }
        ),
    )
    assert form.errors == {"name": ["taken"], "__all__": ["bad code"]}
    assert form.has_error("name", "name_taken")
    form = ExampleForm({"name": "x"})
    form.is_valid()
    add_service_error(form, RestError("not allowed", code="not_admin"))
    assert form.non_field_errors() == ["not allowed"]
    assert form.has_error(NON_FIELD_ERRORS, "not_admin")


def _domain_error_names() -> set[str]:
    names, todo = set(), [DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            names.add(sub.__name__)
            todo.append(sub)
    return names


# The apps whose every refusal names its reason; the solver core (no Django) has its own errors.
CODED_APPS = ("core", "people", "schools", "scheduling")


def test_every_refusal_of_these_apps_passes_a_code():
    """Each ``XError(...)`` built in these apps' code (a domain error) passes ``code=``, so
    callers and tests can tell one refusal from another without reading the message."""
    root = Path(__file__).resolve().parents[2]
    names = _domain_error_names()
    missing = []
    for app in CODED_APPS:
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root).parts
            if "migrations" in parts or parts[:2] == ("scheduling", "solver"):
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in names and not any(k.arg == "code" for k in node.keywords):
                    missing.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    assert missing == []


def test_a_refusal_about_fields_carries_the_first_coded_fields_code():
    error = DomainError.about_fields(
        {"name": ValidationError("x"), "price": [ValidationError("y", code="price_above_cap")]},
        "fields_invalid",
    )
    assert error.code == "price_above_cap"
    assert set(error.message_dict) == {"name", "price"}
    assert DomainError.about_fields({"name": "x"}, "fields_invalid").code == "fields_invalid"
    assert DomainError.about_fields({"name": "x"}).code == DomainError.default_code
