"""Data for the review fragment on the bureau home (a page the schools app owns)."""

from django import template
from django.urls import reverse

from marketplace.reviews import selectors
from marketplace.reviews.models import ReviewCommittee

register = template.Library()


@register.simple_tag
def bureau_review_summary(district):
    """Open review rounds of the district's vendors (``None``: the city's) and where to set
    the committee; nothing is written (committees are created when first set or used)."""
    district_id = getattr(district, "pk", None)
    committee = ReviewCommittee.objects.filter(district_id=district_id).first()
    reviewers = selectors.committee_reviewers(district_id=district_id).count()
    quorum = committee.quorum if committee else ReviewCommittee._meta.get_field("quorum").default
    if district_id is None:
        settings_url = reverse("reviews:committee_city")
    else:
        settings_url = reverse("reviews:committee_district", args=[district_id])
    return {
        "open_rounds": selectors.open_round_count(district_id=district_id),
        "committee": committee,
        "reviewers": reviewers,
        "short_of_quorum": reviewers < quorum,
        "settings_url": settings_url,
        "committees_url": reverse("reviews:committees"),
    }
