"""Forms of the timetable pages: start a solve, import a problem file, pin a decision."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from scheduling.solver.validate import load_json, validate_problem

TIME_LIMIT_MIN = 5
TIME_LIMIT_MAX = 300
TIME_LIMIT_DEFAULT = 30
IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _time_limit_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Time limit (seconds)"),
        min_value=TIME_LIMIT_MIN,
        max_value=TIME_LIMIT_MAX,
        initial=TIME_LIMIT_DEFAULT,
        help_text=_("Between 5 and 300 seconds."),
    )


class SolveForm(forms.Form):
    time_limit = _time_limit_field()


class ProblemImportForm(forms.Form):
    """A problem in the public JSON format; ``problem`` holds it once the form is valid."""

    file = forms.FileField(
        label=_("Problem file (JSON)"),
        help_text=_("At most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )
    solution_file = forms.FileField(
        label=_("Solution file (JSON, optional)"),
        help_text=_("With a solution, nothing is solved: it is checked and stored as it is."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )
    time_limit = _time_limit_field()

    problem: dict | None = None
    solution: dict | None = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "import_%s")  # the home page also shows the solve form
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."), code="too_large")
        data, errors = load_json(upload.read())
        if not errors:
            errors = validate_problem(data)
        if errors:
            # The validator's own messages, each naming its JSON path.
            raise ValidationError([ValidationError(message, code="invalid_problem") for message in errors])
        self.problem = data
        return upload

    def clean_solution_file(self):
        upload = self.cleaned_data.get("solution_file")
        if not upload:
            return upload
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."), code="too_large")
        data, errors = load_json(upload.read())
        if errors:
            raise ValidationError([ValidationError(message, code="invalid_solution") for message in errors])
        self.solution = data
        return upload


class PinForm(forms.Form):
    """One decision to pin or unpin: a supervision (class, slot, staff) or a meeting's slot or room."""

    KINDS = {
        "supervisions": (("class", "slot", "staff"), ()),
        "meetings": (("activity",), ("slot", "room")),
    }
    ENTRY_FIELDS = ("class", "slot", "staff", "activity", "room")

    kind = forms.ChoiceField(
        label=_("Kind of decision"),
        choices=[("supervisions", _("Supervision")), ("meetings", _("Activity meeting"))],
    )
    # Where to return: the weekly view the button was on.
    view = forms.CharField(required=False, max_length=20)
    key = forms.CharField(required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.ENTRY_FIELDS:  # "class" is a keyword, so the fields are added here
            self.fields[name] = forms.CharField(required=False, max_length=64)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind not in self.KINDS:
            return cleaned
        required, one_of = self.KINDS[kind]
        if any(not cleaned.get(name) for name in required) or (
            one_of and sum(bool(cleaned.get(name)) for name in one_of) != 1
        ):
            raise ValidationError(_("This decision is incomplete."), code="incomplete")
        return cleaned

    @property
    def entry(self) -> dict:
        required, one_of = self.KINDS[self.cleaned_data["kind"]]
        return {name: self.cleaned_data[name] for name in (*required, *one_of) if self.cleaned_data.get(name)}
