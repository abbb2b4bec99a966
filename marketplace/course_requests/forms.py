"""Forms of the course request pages. They only shape the input: the rules (grades, price
cap, slots, instructors' availability) are the services', whose ``PurchaseError`` the views
add back onto the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.params import IdModelMultipleChoiceField
from marketplace.course_requests import selectors
from marketplace.course_requests.services import MAX_GROUPS, MAX_MEETINGS
from scheduling.rooms.models import RoomKind


class SlotChoiceField(IdModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class CourseRequestForm(forms.Form):
    """What a school asks a vendor for: term, grades, groups, meetings, sizes, room, slots."""

    term = forms.ModelChoiceField(label=_("Term"), queryset=None, empty_label=None)
    grade_min = forms.TypedChoiceField(label=_("Lowest grade"), coerce=int)
    grade_max = forms.TypedChoiceField(label=_("Highest grade"), coerce=int)
    groups = forms.IntegerField(
        label=_("Number of groups"),
        min_value=1,
        max_value=MAX_GROUPS,
        initial=1,
        help_text=_("Each group becomes one activity of the school."),
    )
    meetings_per_week = forms.IntegerField(
        label=_("Meetings per week"), min_value=1, max_value=MAX_MEETINGS, initial=1
    )
    max_size = forms.IntegerField(
        label=_("Pupils per group (at most)"), min_value=1, max_value=999, initial=30
    )
    min_size = forms.IntegerField(
        label=_("Pupils per group (at least)"),
        min_value=0,
        max_value=999,
        initial=0,
        help_text=_("Below this the group does not run; 0 for no minimum."),
    )
    room_kind = forms.ModelChoiceField(label=_("Room kind"), queryset=RoomKind.objects.order_by("code"))
    slots = SlotChoiceField(
        label=_("Allowed slots"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The enrichment slots the groups may meet in; none ticked: any enrichment slot."),
    )
    note = forms.CharField(
        label=_("Note to the vendor"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, school, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = selectors.terms_open_for_requests()
        grades = selectors.grades_overlap(course=course, school=school)
        choices = [(grade, str(grade)) for grade in grades]
        self.fields["grade_min"].choices = choices
        self.fields["grade_max"].choices = choices
        if grades:
            self.fields["grade_min"].initial = grades.start
            self.fields["grade_max"].initial = grades.stop - 1
        self.fields["slots"].queryset = selectors.enrichment_slots_of_school(school=school)


class InstructorChoiceField(IdModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AcceptForm(forms.Form):
    instructors = InstructorChoiceField(
        label=_("Instructors"),
        queryset=None,
        required=False,  # the service says what is missing, in its own words
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "With as many instructors as groups or more, each group gets one of them in turn; "
            "with fewer, the timetable picks a teacher among your instructors for each group."
        ),
    )
    note = forms.CharField(
        label=_("Note to the school"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, course_request, **kwargs):
        kwargs.setdefault("prefix", "accept")
        super().__init__(*args, **kwargs)
        self.fields["instructors"].queryset = selectors.instructors_for_request(course_request)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "decline")
        super().__init__(*args, **kwargs)
