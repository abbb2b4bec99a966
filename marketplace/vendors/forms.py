"""Forms of the vendor pages. They check input for the page; ``services`` enforces the rules
again (and is the only writer)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.params import IdModelChoiceField
from core.uploads import ALLOWED_EXTENSIONS, validate_document
from core.weekdays import WEEKDAY_CHOICES
from marketplace.vendors.models import Instructor, Vendor, VendorDecision, VendorDocument
from marketplace.vendors.services import PROFILE_FIELDS
from schools.models import District


def service_categories():
    """The categories a vendor may be in: every one but academic tutoring (the service
    refuses it too), in code order.

    Read through ``Vendor.category``: the categories belong to ``courses``, a floor above.
    """
    return Vendor._meta.get_field("category").related_model.objects.filter(is_academic=False).order_by("code")


class VendorProfileForm(forms.ModelForm):
    """The institution's profile, for registration and for later edits."""

    class Meta:
        model = Vendor
        fields = PROFILE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "credit_code": {
                "unique": _("An institution with this unified social credit code is already registered."),
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = service_categories()
        self.fields["district"].queryset = District.objects.order_by("code")
        for name in ("contact_name", "contact_phone"):
            self.fields[name].required = True
        # Optional on the page (older clients do not send it): left out means the model's
        # default, so a registration never fails for want of it.
        self.fields["institution_type"].required = False
        self.fields["credit_code"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "maxlength": 18}
        )

    def clean_institution_type(self):
        return (
            self.cleaned_data.get("institution_type")
            or self.instance.institution_type
            or Vendor.InstitutionType.COMPANY
        )

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()


class InstructorForm(forms.ModelForm):
    class Meta:
        model = Instructor
        fields = ("name", "subjects", "qualifications", "max_sessions")
        widgets = {
            "subjects": forms.CheckboxSelectMultiple,
            "qualifications": forms.Textarea(attrs={"rows": 3}),
        }


class AvailabilityForm(forms.Form):
    """One weekly window in which the instructor can teach."""

    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=[("", "—"), *WEEKDAY_CHOICES], coerce=int, empty_value=None
    )
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def has_changed(self):
        # A blank extra row is left out even if the browser sent a weekday for it.
        if not self.initial and not (self["start"].value() or self["end"].value()):
            return False
        return super().has_changed()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            raise ValidationError(_("A window must end after it starts."), code="end_before_start")
        return cleaned


class BaseAvailabilityFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        windows = sorted(self.windows())
        for (day, start1, end1), (day2, start2, end2) in zip(windows, windows[1:], strict=False):
            if day == day2 and start2 < end1:
                raise ValidationError(
                    _("%(day)s: the windows %(a)s and %(b)s overlap.")
                    % {
                        "day": dict(WEEKDAY_CHOICES)[day],
                        "a": f"{start1:%H:%M}–{end1:%H:%M}",
                        "b": f"{start2:%H:%M}–{end2:%H:%M}",
                    },
                    code="overlap",
                )

    def windows(self) -> list[tuple]:
        """The filled-in windows that are not marked for deletion, as (weekday, start, end)."""
        result = []
        for form in self.forms:
            # Unchanged rows of existing windows count; blank extra rows have no data.
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            result.append((data["weekday"], data["start"], data["end"]))
        return result


AvailabilityFormSet = forms.formset_factory(
    AvailabilityForm, formset=BaseAvailabilityFormSet, extra=2, can_delete=True, max_num=28
)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=VendorDocument.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    instructor = forms.ModelChoiceField(
        label=_("Instructor"),
        queryset=Instructor.objects.none(),
        required=False,
        help_text=_("For a qualification: whose it is."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, PNG, JPEG or WebP file."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)}),
    )

    def __init__(self, *args, vendor: Vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructor"].queryset = vendor.instructors.order_by("name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_document(upload)
        return upload


class DecisionForm(forms.Form):
    """An officer's decision on a vendor; the reason is shown to the vendor."""

    action = forms.ChoiceField(
        label=_("Decision"),
        # Submitting and applying again are the clerk's steps, not an officer's decision.
        choices=[
            (a, label) for a, label in VendorDecision.Action.choices if a not in ("submitted", "reapplied")
        ],
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") in VendorDecision.NEEDS_REASON and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason: the vendor sees it."))
        return cleaned


class VendorListFilterForm(forms.Form):
    """Filters of the officer's approved list."""

    STATUSES = (Vendor.Status.APPROVED, Vendor.Status.SUSPENDED, Vendor.Status.REVOKED)

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(s.value, s.label) for s in STATUSES],
    )
    # Read from the query string: ids are checked in Python before any query (core.params).
    district = IdModelChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False, empty_label=_("All")
    )
    category = IdModelChoiceField(label=_("Category"), queryset=None, required=False, empty_label=_("All"))

    def __init__(self, *args, district_ids: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        districts = District.objects.order_by("code")
        if district_ids is not None:
            districts = districts.filter(pk__in=district_ids)
        self.fields["district"].queryset = districts
        self.fields["category"].queryset = service_categories()


class RevokeForm(forms.Form):
    """The confirmation of a revocation: a reason the vendor sees, and an explicit yes."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    confirm = forms.BooleanField(
        label=_("I understand the consequences and revoke this vendor for good."),
        required=True,
    )


class ContactChangeForm(forms.ModelForm):
    """An approved vendor's new contact details (an amendment for the officer)."""

    class Meta:
        model = Vendor
        fields = ("contact_name", "contact_phone", "contact_email", "address")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("contact_name", "contact_phone"):
            self.fields[name].required = True


class AmendmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VendorPolicyForm(forms.Form):
    reapply_after_days = forms.IntegerField(
        label=_("Days before a rejected institution may apply again"),
        min_value=0,
        max_value=3650,
        help_text=_("Counted from the rejection. 0: at once."),
    )
