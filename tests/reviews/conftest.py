import pytest

from marketplace.courses.signals import course_changed


@pytest.fixture
def sent():
    """``(course id, review status)`` for each ``course_changed`` sent, in order."""
    received = []

    def listener(sender, course, **kwargs):
        received.append((course.pk, course.review_status))

    course_changed.connect(listener)
    yield received
    course_changed.disconnect(listener)
