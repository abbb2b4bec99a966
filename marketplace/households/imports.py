"""A school's import of its pupils from a spreadsheet (CSV in UTF-8, with or without a byte
order mark, or Excel .xlsx).

Columns (header row first; names are case-insensitive, order free):

==================  ========  ================================================================
column              required  meaning
==================  ========  ================================================================
``class``           yes       grade and class number, ``3-2`` = grade 3 class 2
``student_no``      yes       the pupil's student number, unique within the class
``name``            yes       the pupil's name as the school knows it
``days``            no        after-school days: English codes ``mon,tue,thu`` (separated by
                              commas or spaces) or Chinese weekday characters ``一二四``
                              (``一``…``五``, ``六``, ``日``/``天``; ``周``/``星期`` ignored).
                              Empty: every school day for a new pupil, unchanged for an
                              existing one.
``guardian_email``  no        a parent's account email: when it is a verified address of an
                              account that already has a household, the pupil is linked to it
                              directly (the link names who imported); otherwise the pupil
                              gets a code slip as usual
==================  ========  ================================================================

All or nothing: every row is checked first, and if any is wrong nothing is written and every
error is reported with its spreadsheet row (the header is row 1), column and what is wrong.

A row whose class and student number match a pupil already on the roster updates that pupil
(name, and days when given); others are created on the roster without a household and get a
link code. A student number held in that class by a pupil already linked to a family under a
different name is refused: renaming a linked child by import would hand a family someone
else's child.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.exports import csv_text
from core.weekdays import ALL_SCHOOL_DAYS_MASK, DAY_CODES
from marketplace.households.models import Child, ChildLink
from marketplace.households.services import HouseholdError, child_code_assign, normalize_name
from people.roles.models import Membership, Role
from schools.models import School

COLUMNS = ("class", "student_no", "name", "days", "guardian_email")
REQUIRED_COLUMNS = ("class", "student_no", "name")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Every valid cell is far shorter (a name has at most 80 characters). A longer one is refused
# before its content is checked, so that no error message repeats it.
MAX_CELL_CHARS = 1000
# C0 and C1 control characters (NUL, escape, a line break inside a quoted cell…) belong in
# no column, and PostgreSQL cannot store a NUL at all.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

TEMPLATE_ROWS = [
    COLUMNS,
    ("3-2", "20230201", "王小明", "mon,tue,thu", "parent@example.com"),
    ("3-2", "20230202", "李小红", "一二四五", ""),
]

_CHINESE_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CLASS_RE = re.compile(r"^\s*(\d{1,2})\s*[-－—–]\s*(\d{1,3})\s*$")


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row (header = 1); 0 for the file as a whole
    column: str  # the column's name as in the header; empty for the file or the header
    message: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    linked: int = 0
    # Rows whose guardian_email is no verified parent's address: the family links by code.
    unconfirmed: int = 0
    children: list = field(default_factory=list)


class PupilImportError(HouseholdError):
    """The file cannot be imported; ``rows`` lists every problem (row, column, message)."""

    def __init__(self, rows: list[RowError], code: str | None = None):
        self.rows = rows
        super().__init__([_("Row %(row)s, %(column)s: %(message)s") % vars(e) for e in rows], code=code)


def parse_days(text: str) -> int | None:
    """A weekday mask from ``mon,tue`` or ``一二``; ``None`` for an empty cell.

    Raises ``ValueError`` for anything else."""
    text = (text or "").strip().lower()
    if not text:
        return None
    mask = 0
    if re.search(r"[a-z]", text):
        for word in re.split(r"[\s,，、;/]+", text):
            if not word:
                continue
            if word not in DAY_CODES:
                raise ValueError(word)
            mask |= 1 << DAY_CODES.index(word)
    else:
        for ch in text.replace("星期", "").replace("周", ""):
            if ch in " ,，、;/":
                continue
            if ch not in _CHINESE_DAYS:
                raise ValueError(ch)
            mask |= 1 << _CHINESE_DAYS[ch]
    if not mask:
        raise ValueError(text)
    return mask


def _cell(value) -> str:
    """A spreadsheet cell as text: Excel stores 20230201 as a number, keep it whole."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload) -> list[list[str]]:
    """The rows of an uploaded CSV or XLSX file as lists of text cells (header first)."""
    data = upload.read()
    if len(data) > MAX_BYTES:
        raise PupilImportError([RowError(0, "", _("The file is larger than 2 MB."))], code="file_too_large")
    name = (getattr(upload, "name", "") or "").lower()
    if data[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name and not name.endswith(".csv") and not name.endswith(".txt"):
        raise PupilImportError(
            [RowError(0, "", _("Upload a .csv or .xlsx file."))], code="file_type_unsupported"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PupilImportError(
            [RowError(0, "", _("The CSV file is not UTF-8 text. Save it as “CSV UTF-8”."))],
            code="csv_not_utf8",
        ) from None
    return _read_csv(text)


def _cell_too_long() -> str:
    return ngettext(
        "This cell is longer than %(n)s character.",
        "This cell is longer than %(n)s characters.",
        MAX_CELL_CHARS,
    ) % {"n": MAX_CELL_CHARS}


def _read_csv(text: str) -> list[list[str]]:
    # newline="" leaves line endings to the csv module, which then reads CR LF, LF and an old
    # Mac's lone CR alike, as well as line breaks inside quoted cells.
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(lines)
    rows: list[list[str]] = []
    start = 0  # the line on which the next record begins
    try:
        for row in reader:
            rows.append([_cell(v) for v in row])
            start = reader.line_num
    except csv.Error:
        # With the default dialect: a cell over the csv module's field size limit (128 KB).
        # Name its row and column; the rest of the file cannot be read reliably after it.
        index = _long_cell_index("".join(lines[start : reader.line_num]))
        if index is None:
            raise PupilImportError(
                [
                    RowError(
                        len(rows) + 1, "", _("This row cannot be read as CSV: check its quotation marks.")
                    )
                ],
                code="csv_row_unreadable",
            ) from None
        header = [h.strip().lower() for h in rows[0]] if rows else []
        column = header[index] if index < len(header) and header[index] else _column_letter(index)
        raise PupilImportError(
            [RowError(len(rows) + 1, column, _cell_too_long())], code="cell_too_long"
        ) from None
    return rows


def _long_cell_index(record: str) -> int | None:
    """The index of the first cell of a CSV record (default dialect) longer than the csv
    module's field size limit, or ``None``."""
    limit = csv.field_size_limit()
    index = length = 0
    quoted = False
    for char in record:
        if char == '"':
            quoted = not quoted  # a doubled quote inside a quoted cell toggles twice
        elif not quoted and char == ",":
            index, length = index + 1, 0
        elif not quoted and char in "\r\n":
            break
        else:
            length += 1
            if length > limit:
                return index
    return None


def _column_letter(index: int) -> str:
    """The spreadsheet's name of the column at ``index``: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell_errors(index: int, values: dict[str, str]) -> list[RowError]:
    """The cells of a row that no column may hold: too long, or with a control character."""
    found = []
    for column in COLUMNS:
        value = values.get(column, "")
        if len(value) > MAX_CELL_CHARS:
            found.append(RowError(index, column, _cell_too_long()))
        elif _CONTROL_RE.search(value):
            found.append(
                RowError(
                    index,
                    column,
                    _(
                        "This cell contains an invisible control character (a line break, a tab or "
                        "a NUL byte, for example). Type it again as plain text."
                    ),
                )
            )
    return found


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise PupilImportError(
            [RowError(0, "", _("The file is not a readable .xlsx workbook."))], code="xlsx_unreadable"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _parent_households_by_email(emails: set[str]) -> dict[str, int]:
    """The household of the parent whose account owns each email, for verified addresses
    only: an address nobody confirmed proves nothing about who holds it, so a pupil is never
    linked through it (the family uses the code slip instead)."""
    verified = EmailAddress.objects.filter(verified=True, email__in=emails).values_list("email", "user_id")
    user_by_email = {email.lower(): user_id for email, user_id in verified}
    found = Membership.objects.filter(role=Role.PARENT, user_id__in=set(user_by_email.values())).order_by(
        "pk"
    )
    household_by_user: dict[int, int] = {}
    for user_id, household_id in found.values_list("user_id", "household_id"):
        household_by_user.setdefault(user_id, household_id)
    return {
        email: household_by_user[user_id]
        for email, user_id in user_by_email.items()
        if user_id in household_by_user
    }


def _validate(school: School, rows: list[list[str]]):
    """Check every row; returns (errors, planned rows)."""
    errors: list[RowError] = []
    if not rows or not any(rows[0]):
        return [RowError(1, "", _("The file is empty: the first row must name the columns."))], []
    header = [h.strip().lower().lstrip("\ufeff") for h in rows[0]]
    for column in REQUIRED_COLUMNS:
        if column not in header:
            errors.append(RowError(1, column, _("This column is missing.")))
    for column in header:
        if column and column not in COLUMNS:
            errors.append(
                RowError(
                    1, column, _("Unknown column. Use only: %(columns)s.") % {"columns": ", ".join(COLUMNS)}
                )
            )
    if len([h for h in header if h]) != len({h for h in header if h}):
        errors.append(RowError(1, "", _("A column is named twice.")))
    if errors:
        return errors, []
    if len(rows) - 1 > MAX_ROWS:
        return [
            RowError(
                0,
                "",
                ngettext("At most %(n)s pupil per file.", "At most %(n)s pupils per file.", MAX_ROWS)
                % {"n": MAX_ROWS},
            )
        ], []

    classes = {(c.grade, c.number): c for c in school.classes.all()}
    existing = {
        (c.school_class_id, c.student_no): c for c in Child.objects.filter(school_class__school=school)
    }
    seen: dict[tuple, int] = {}
    planned = []
    for index, raw in enumerate(rows[1:], start=2):
        values = dict(zip(header, [*raw, *[""] * (len(header) - len(raw))], strict=False))
        if not any(v.strip() for v in values.values()):
            continue  # blank line, common at the end of spreadsheets
        if cell_errors := _cell_errors(index, values):
            # The checks below would quote such a cell back; it has to be fixed first.
            errors.extend(cell_errors)
            continue
        row_errors: list[RowError] = []
        school_class = None
        match = _CLASS_RE.match(values.get("class", ""))
        if not match:
            row_errors.append(RowError(index, "class", _("Write the class as grade-class, like 3-2.")))
        else:
            school_class = classes.get((int(match[1]), int(match[2])))
            if school_class is None:
                row_errors.append(
                    RowError(
                        index, "class", _("This school has no class %(code)s.") % {"code": values["class"]}
                    )
                )
        student_no = values.get("student_no", "").strip()
        if not student_no:
            row_errors.append(RowError(index, "student_no", _("The student number is empty.")))
        elif len(student_no) > 30:
            row_errors.append(
                RowError(index, "student_no", _("The student number is longer than 30 characters."))
            )
        name = normalize_name(values.get("name", ""))
        if not name:
            row_errors.append(RowError(index, "name", _("The name is empty.")))
        elif len(name) > 80:
            row_errors.append(RowError(index, "name", _("The name is longer than 80 characters.")))
        try:
            days = parse_days(values.get("days", ""))
        except ValueError:
            days = None
            row_errors.append(
                RowError(
                    index,
                    "days",
                    _("Unrecognised days “%(days)s”: write mon,tue,thu or 一二四.")
                    % {"days": values["days"]},
                )
            )
        email = values.get("guardian_email", "").strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(RowError(index, "guardian_email", _("This is not an email address.")))
        current = None
        if school_class is not None and student_no:
            key = (school_class.pk, student_no)
            if key in seen:
                row_errors.append(
                    RowError(
                        index,
                        "student_no",
                        _("Student number %(no)s of class %(code)s is also in row %(row)s.")
                        % {"no": student_no, "code": school_class.code, "row": seen[key]},
                    )
                )
            else:
                seen[key] = index
            current = existing.get(key)
            if current is not None and current.household_id and name and normalize_name(current.name) != name:
                row_errors.append(
                    RowError(
                        index,
                        "student_no",
                        _(
                            "Student number %(no)s of class %(code)s belongs to %(name)s, already linked to a "
                            "family. Check the number."
                        )
                        % {"no": student_no, "code": school_class.code, "name": current.name},
                    )
                )
        errors.extend(row_errors)
        if not row_errors:
            planned.append((school_class, student_no, name, days, email, current))
    return errors, planned


@transaction.atomic
def pupils_import(*, school: School, upload, by) -> ImportSummary:
    """Import pupils into ``school``'s roster from an uploaded file (see the module docstring).

    ``by`` is the school's user who imports; each link the import makes is recorded as a
    ``ChildLink`` naming them. Raises ``PupilImportError`` listing every problem, and then
    writes nothing."""
    rows = read_rows(upload)
    errors, planned = _validate(school, rows)
    if errors:
        raise PupilImportError(errors, code="import_rows_rejected")
    households = _parent_households_by_email({p[4] for p in planned if p[4]})
    summary = ImportSummary()
    for school_class, student_no, name, days, email, current in planned:
        household_id = households.get(email) if email else None
        if current is None:
            child = Child.objects.create(
                school_class=school_class,
                student_no=student_no,
                name=name,
                days=ALL_SCHOOL_DAYS_MASK if days is None else days,
                household_id=household_id,
            )
            summary.created += 1
        else:
            child = Child.objects.select_for_update().get(pk=current.pk)
            child.name = name
            if days is not None:
                child.days = days
            if child.household_id is None and household_id:
                child.household_id = household_id
                child.link_code = None
            child.save(update_fields=["name", "days", "household", "link_code"])
            summary.updated += 1
        if child.household_id is None:
            if not child.link_code:
                child_code_assign(child)
        elif (
            household_id
            and child.household_id == household_id
            and (current is None or current.household_id is None)
        ):
            ChildLink.objects.create(
                child=child,
                household_id=household_id,
                method=ChildLink.Method.IMPORT,
                made_by=by,
                email=email,
            )
            summary.linked += 1
        if email and not household_id:
            summary.unconfirmed += 1
        summary.children.append(child)
    return summary


def template_csv() -> str:
    """The template file's text (UTF-8 with a byte order mark, so Excel reads the Chinese)."""
    return csv_text(TEMPLATE_ROWS)
