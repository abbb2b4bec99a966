from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from marketplace.vendors.selectors import instructors_of_vendor
from people.roles.access import vendor_for_user_or_404


@login_required
def vendor_home(request, vendor_id: int):
    vendor = vendor_for_user_or_404(request.user, vendor_id)
    context = {
        "vendor": vendor,
        "instructors": instructors_of_vendor(vendor=vendor),
        "courses": vendor.courses.select_related("category", "subject").order_by("title"),
        "activities": vendor.activities.select_related("school", "term").order_by("school__code", "name"),
    }
    return render(request, "vendors/vendor_home.html", context)
