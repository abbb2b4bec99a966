"""Reference data that editors keep in the Wagtail admin, as snippets."""

from wagtail.snippets.models import register_snippet

from marketplace.courses.models import Category
from scheduling.rooms.models import RoomKind
from scheduling.staff.models import Subject

for model in (Subject, Category, RoomKind):
    register_snippet(model)
