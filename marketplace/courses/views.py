from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from marketplace.courses.selectors import courses_for_review, courses_reviewed
from people.roles.access import require_role
from people.roles.models import Role


@login_required
def review_home(request):
    memberships = require_role(request.user, Role.COURSE_REVIEWER)
    district_ids = {m.district_id for m in memberships}
    context = {
        "memberships": memberships,
        "pending": courses_for_review(district_ids=district_ids),
        "reviewed": courses_reviewed(district_ids=district_ids)[:20],
    }
    return render(request, "courses/review_home.html", context)
