from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.weekdays import WEEKDAY_CHOICES


class Slot(models.Model):
    """One period of a school's weekly after-school grid (时段).

    Its id in the timetable format (``mon-1``) is its position in the day; see
    ``scheduling.slots.selectors.slot_codes``. Slots of one day never overlap (checked in
    ``clean``; the database keeps start < end and unique starts).
    """

    class Kind(models.TextChoices):
        SUPERVISED = "supervised", _("Supervised study")
        ENRICHMENT = "enrichment", _("Enrichment activity")

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name=_("school"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["school", "weekday", "start"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_end_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="slot_weekday_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=["supervised", "enrichment"]),
                name="slot_kind_valid",
            ),
            models.UniqueConstraint(fields=["school", "weekday", "start"], name="slot_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start and self.end and self.school_id is not None and self.weekday is not None:
            overlapping = Slot.objects.filter(
                school_id=self.school_id,
                weekday=self.weekday,
                start__lt=self.end,
                end__gt=self.start,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("This slot overlaps another slot of the same day."), code="slot_overlap"
                )
