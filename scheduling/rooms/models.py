from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BilingualName


class RoomKind(BilingualName):
    """What a room is fit for (classroom, gym, art room…); activities ask for one kind."""

    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("room kind")
        verbose_name_plural = _("room kinds")


class Room(models.Model):
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="rooms",
        verbose_name=_("school"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    kinds = models.ManyToManyField(RoomKind, related_name="rooms", verbose_name=_("kinds"))

    class Meta:
        ordering = ["school", "code"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="room_code_unique_per_school"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name
