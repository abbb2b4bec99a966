"""Signals other apps listen to (the CMS keeps the course library in step with them)."""

from django.dispatch import Signal

# Sent by every course service that changes a course (content or review status), inside the
# service's transaction, with ``course=`` the changed course (already saved).
course_changed = Signal()
