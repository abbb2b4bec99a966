"""Forms of the reviewer's scoring page and the bureau's committee settings. Services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.i18n import prefers_english
from marketplace.reviews.models import ReviewCommittee, ReviewScore
from marketplace.reviews.selectors import committee_reviewers
from marketplace.reviews.services import MAX_CRITERION_SCORE


def criterion_label(item: dict) -> str:
    if prefers_english() and item.get("name_en"):
        return item["name_en"]
    return item["name"]


class ScoreForm(forms.Form):
    """One score per criterion of the round's own rubric copy, a recommendation, a comment."""

    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=ReviewScore.Recommendation.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment for the vendor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the vendor with the outcome, without your name."),
    )

    def __init__(self, *args, rubric: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        criteria = {}
        for item in rubric:
            criteria[f"score_{item['code']}"] = forms.IntegerField(
                label=criterion_label(item),
                min_value=0,
                max_value=item["max_score"],
                help_text=_("0 to %(max)s") % {"max": item["max_score"]},
            )
        # Criteria first, in the rubric's order.
        self.fields = {**criteria, **self.fields}

    def criterion_fields(self):
        return [self[f"score_{item['code']}"] for item in self.rubric]

    def scores(self) -> dict[str, int]:
        return {item["code"]: self.cleaned_data[f"score_{item['code']}"] for item in self.rubric}


class ConflictForm(forms.Form):
    note = forms.CharField(label=_("Nature of the link (optional)"), max_length=200, required=False)


class CommitteeForm(forms.ModelForm):
    class Meta:
        model = ReviewCommittee
        fields = ["rule", "quorum", "reduced_quorum", "pass_mark", "chair"]
        widgets = {"rule": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = committee_reviewers(district_id=self.instance.district_id)
        self.fields["chair"].label_from_instance = lambda user: user.name or user.email
        self.fields["quorum"].widget.attrs["min"] = 1

    def _post_clean(self):
        # The service checks the settings as a whole (pass mark against the rubric's total).
        pass


class CriterionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    max_score = forms.IntegerField(label=_("Highest score"), min_value=1, max_value=MAX_CRITERION_SCORE)
    position = forms.IntegerField(label=_("Position"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rubric is a table: the column headings are the visible labels.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True, max_num=30, absolute_max=30)


def criteria_from(formset) -> list[dict]:
    """The rubric rows kept (filled in and not marked for deletion)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append({k: data.get(k) for k in ("code", "name", "name_en", "max_score", "position")})
    return rows


class ReassignForm(forms.Form):
    """A bureau officer hands an open round to a committee and/or sets its quorum."""

    committee = forms.ChoiceField(label=_("Committee"))
    quorum = forms.IntegerField(label=_("Scores needed"), min_value=1, max_value=50)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        # A committee not stored yet (``selectors.committee_of`` before its first use) is
        # offered by its district; ``services.review_reassign`` stores it when chosen.
        self.committees = {self.committee_key(c): c for c in committees}
        self.fields["committee"].choices = [(key, str(c)) for key, c in self.committees.items()]

    @staticmethod
    def committee_key(committee: ReviewCommittee) -> str:
        if committee.pk is not None:
            return str(committee.pk)
        return "new-city" if committee.district_id is None else f"new-{committee.district_id}"

    def clean_committee(self) -> ReviewCommittee:
        return self.committees[self.cleaned_data["committee"]]
