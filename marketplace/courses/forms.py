"""Forms of the vendor's course pages. They only read input; services write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.uploads import validate_document
from marketplace.courses.models import Category, Course
from marketplace.courses.services import COURSE_FIELDS, MAX_SESSIONS

# How many session-plan rows a new course's form starts with.
DEFAULT_SESSIONS = 8


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [*COURSE_FIELDS, "instructors"]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "instructors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.vendor = vendor
        self.fields["category"].queryset = Category.objects.filter(is_academic=False)
        self.fields["category"].help_text = _("Academic subject tutoring is not offered after school.")
        # Only instructors the bureau has checked (an approved vendor's new instructor waits
        # for its amendment).
        self.fields["instructors"].queryset = vendor.instructors.filter(vetted=True).order_by("name")
        self.fields["sessions"].widget.attrs.update({"min": 1, "max": MAX_SESSIONS})
        for name in ("grade_min", "grade_max"):
            self.fields[name].widget.attrs.update({"min": 1, "max": 9})
        for name in ("price_per_session", "materials_fee"):
            self.fields[name].widget.attrs.update({"min": 0, "step": "0.01"})

    def _post_clean(self):
        # The service validates the course as a whole (and says which field is wrong); the
        # model's own validation here would only repeat it with the constraints' raw names.
        pass

    def course_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in COURSE_FIELDS}


class SessionPlanForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=120, required=False)
    content = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


SessionPlanFormSet = forms.formset_factory(
    SessionPlanForm, extra=0, max_num=MAX_SESSIONS, validate_max=True, absolute_max=MAX_SESSIONS
)


def plan_formset(*, data=None, course: Course | None = None, sessions: int | None = None):
    """One form per session, numbered from 1; the plans stored so far filled in."""
    stored = {}
    if course is not None and course.pk:
        stored = {p.number: p for p in course.session_plans.all()}
    count = sessions or (course.sessions if course is not None and course.pk else DEFAULT_SESSIONS)
    count = max(1, min(count, MAX_SESSIONS))
    initial = [
        {"title": stored[n].title, "content": stored[n].content} if n in stored else {}
        for n in range(1, count + 1)
    ]
    formset = SessionPlanFormSet(data=data, initial=initial, prefix="plans")
    for number, form in enumerate(formset.forms, start=1):
        form.fields["title"].widget.attrs["aria-label"] = _("Topic of session %(n)s") % {"n": number}
        form.fields["content"].widget.attrs["aria-label"] = _("Content of session %(n)s") % {"n": number}
    return formset


def plans_from(formset) -> list[dict]:
    """The formset's rows as plans for the service, numbered by position."""
    return [
        {
            "number": index,
            "title": form.cleaned_data.get("title", ""),
            "content": form.cleaned_data.get("content", ""),
        }
        for index, form in enumerate(formset.forms, start=1)
    ]


class CourseDocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    file = forms.FileField(label=_("File"), help_text=_("A PDF or an image (PNG, JPEG, WebP)."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            validate_document(upload)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return upload
