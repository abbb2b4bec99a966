"""Duty report pages, with CSV (``?format=csv``) and XLSX (``?format=xlsx``) downloads.

* ``teachers`` — one school's duties per teacher for a term, with the school's spread: for
  the school's administrators and the bureau officers of its district (or the city);
* ``spread`` — every school a bureau officer oversees, each with its spread.

Anyone else (a teacher, another school's administrator) gets a 404. ``?term=<id>`` picks the
term; the current term by default.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from people.roles.access import bureau_district_ids, require_role, school_for_user_or_404
from people.roles.models import Role
from scheduling.rest import reports
from schools.models import School, Term
from schools.selectors import term_current

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _term(request) -> Term | None:
    raw = request.GET.get("term", "")
    if raw:
        if not raw.isdigit():
            raise Http404("No such term")
        return get_object_or_404(Term, pk=int(raw))
    return term_current()


def _csv(filename: str, header: list, rows: list[list]) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, so Excel reads the file as UTF-8 (Chinese names)
    writer = csv.writer(out)
    writer.writerow([str(cell) for cell in header])
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx(filename: str, title: str, header: list, rows: list[list]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([str(cell) for cell in header])
    for row in rows:
        # Decimals are written as numbers, so the spreadsheet can compute with them.
        sheet.append([float(cell) if hasattr(cell, "as_tuple") else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _export(request, *, filename: str, title: str, header: list, rows: list[list]) -> HttpResponse | None:
    wanted = request.GET.get("format")
    if wanted == "csv":
        return _csv(filename, header, rows)
    if wanted == "xlsx":
        return _xlsx(filename, title, header, rows)
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
    return render(request, "rest/report_teachers.html", context)


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
    return render(request, "rest/report_spread.html", context)
