"""Signals other apps listen to (the CMS keeps the course library in step with them; the
course review opens a round when a course is submitted)."""

from django.dispatch import Signal

# Sent by every course service that changes a course (content or review status), inside the
# service's transaction, with ``course=`` the changed course (already saved).
course_changed = Signal()

# Sent by ``services.course_submit`` inside its transaction, once the course is saved as
# ``submitted`` and before ``course_changed``, with ``course=`` the submitted course. The
# course review (``marketplace.reviews.receivers``) opens the course's review round on it. A
# receiver that cannot take the course raises ``ValidationError``: the submission is rolled
# back and ``course_submit`` raises that error to its caller.
course_submitted = Signal()
