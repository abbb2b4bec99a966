from people.roles.access import memberships_of
from people.roles.routing import home_url


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": []}
    return {"my_roles": [{"membership": m, "url": home_url(m)} for m in memberships_of(user)]}
