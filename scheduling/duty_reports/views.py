"""Duty report pages, with CSV (``?format=csv``) and XLSX (``?format=xlsx``) downloads.

* ``teachers`` — one school's duties per teacher for a term, with the school's spread: for
  the school's administrators and the bureau officers of its district (or the city);
* ``spread`` — every school a bureau officer oversees, each with its spread.

Anyone else (a teacher, another school's administrator) gets a 404. ``?term=<id>`` picks the
term; the current term by default.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.exports import csv_response, xlsx_response
from core.params import parse_id
from people.roles.access import bureau_district_ids, require_role
from people.roles.models import Role
from scheduling.duty_reports import selectors as reports
from schools.access import school_for_user_or_404
from schools.models import School, Term
from schools.selectors import term_current


def _term(request) -> Term | None:
    raw = request.GET.get("term", "")
    if raw:
        # parse_id, not str.isdigit: "²" is a digit to isdigit() and a ValueError to int().
        term_id = parse_id(raw)
        if term_id is None:
            raise Http404("No such term")
        return get_object_or_404(Term, pk=term_id)
    return term_current()


def _export(request, *, filename: str, title: str, header: list, rows: list[list]) -> HttpResponse | None:
    wanted = request.GET.get("format")
    if wanted == "csv":
        return csv_response(filename, rows, header=header)
    if wanted == "xlsx":
        return xlsx_response(filename, rows, header=header, title=title)
    return None


def _spread_header() -> list:
    return [
        _("Teachers"),
        _("Teachers with duty"),
        _("Participation (%)"),
        _("Mean"),
        _("Median"),
        _("Minimum"),
        _("Maximum"),
        _("Standard deviation"),
        _("Total duties"),
    ]


def _spread_cells(spread: reports.DutySpread) -> list:
    return [
        spread.teachers,
        spread.with_duty,
        spread.participation,
        spread.mean,
        spread.median,
        spread.minimum,
        spread.maximum,
        spread.stdev,
        spread.total,
    ]


@login_required
def teachers(request, school_id: int):
    school = school_for_user_or_404(request.user, school_id, bureau=True)
    term = _term(request)
    rows = reports.duties_per_teacher(school=school, term=term) if term else []
    if term is not None:
        header = [
            _("Staff number"),
            _("Name"),
            _("Supervision duties"),
            _("Activity duties"),
            _("Cover duties"),
            _("Total"),
        ]
        cells = [[r.staff_no, r.name, r.supervision, r.activity, r.cover, r.total] for r in rows]
        exported = _export(
            request,
            filename=f"duties-{school.code}-{term.code}",
            title=_("Duties per teacher"),
            header=header,
            rows=cells,
        )
        if exported is not None:
            return exported
    context = {
        "school": school,
        "term": term,
        "terms": Term.objects.order_by("-start"),
        "rows": rows,
        "sums": reports.grouped(rows),
        "spread": reports.spread(rows),
    }
    return render(request, "duty_reports/teachers.html", context)


@login_required
def spread(request):
    require_role(request.user, Role.BUREAU_OFFICER)
    districts = bureau_district_ids(request.user)
    schools = School.objects.select_related("district").order_by("district__code", "code")
    if districts is not None:
        schools = schools.filter(district_id__in=districts)
    term = _term(request)
    spreads = reports.school_spreads(schools=schools, term=term) if term else []
    if term is not None:
        edges = reports.histogram([]) if not spreads else spreads[0][1].histogram
        header = [
            _("District"),
            _("School"),
            *_spread_header(),
            *[_("%(bin)s duties") % {"bin": b.label} for b in edges],
        ]
        cells = [
            [
                str(school.district.display_name),
                str(school.display_name),
                *_spread_cells(s),
                *[b.count for b in s.histogram],
            ]
            for school, s in spreads
        ]
        exported = _export(
            request, filename=f"duty-spread-{term.code}", title=_("Spread of duty"), header=header, rows=cells
        )
        if exported is not None:
            return exported
    context = {
        "term": term,
        "terms": Term.objects.order_by("-start"),
        "spreads": spreads,
        "bins": spreads[0][1].histogram if spreads else reports.histogram([]),
    }
    return render(request, "duty_reports/spread.html", context)
