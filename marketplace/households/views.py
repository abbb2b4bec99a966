from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from marketplace.courses.selectors import activities_open_to
from people.roles.access import household_for_user_or_404
from scheduling.timetables.publishing import sessions_for_class, week_of
from schools.selectors import term_current, today


@login_required
def household_home(request, household_id: int):
    household = household_for_user_or_404(request.user, household_id)
    term = term_current()
    monday, sunday = week_of(today())
    children = household.children.select_related("school_class", "school_class__school")
    context = {
        "household": household,
        "term": term,
        "week": {"monday": monday, "sunday": sunday},
        "children": [
            {
                "child": child,
                "activities": activities_open_to(school_class=child.school_class, term=term),
                "week": sessions_for_class(
                    school_class=child.school_class, start=monday, end=sunday
                ).select_related("staff", "room"),
            }
            for child in children
        ],
    }
    return render(request, "households/household_home.html", context)
