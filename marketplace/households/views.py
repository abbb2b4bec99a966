from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from marketplace.courses.selectors import activities_open_to
from people.roles.access import household_for_user_or_404
from schools.selectors import term_current


@login_required
def household_home(request, household_id: int):
    household = household_for_user_or_404(request.user, household_id)
    term = term_current()
    children = household.children.select_related("school_class", "school_class__school")
    context = {
        "household": household,
        "term": term,
        "children": [
            {
                "child": child,
                "activities": activities_open_to(school_class=child.school_class, term=term),
            }
            for child in children
        ],
    }
    return render(request, "households/household_home.html", context)
