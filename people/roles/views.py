from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from people.roles.access import memberships_of
from people.roles.routing import home_url


@login_required
def home(request):
    """After login: straight to the role's home, or a choice when the person holds several."""
    memberships = memberships_of(request.user)
    if len(memberships) == 1:
        return redirect(home_url(memberships[0]))
    return render(request, "roles/choose.html", {"memberships": memberships})
