"""The course review's answers to the courses app's signals: a submitted course gets a round."""

from django.dispatch import receiver

from marketplace.courses.signals import course_submitted
from marketplace.reviews.services import review_open


@receiver(course_submitted, dispatch_uid="reviews.course_submitted")
def open_review_round(sender, course, **kwargs):
    # Inside course_submit's transaction: a ReviewError refuses the submission as a whole.
    review_open(course=course)
