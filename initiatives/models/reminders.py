"""What the scheduled reminder emails have sent: one row per person, kind and period."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReminderSent(models.Model):
    """One reminder email sent to one person for one run. The period is the first day of what
    the run covers (the Monday of the week, the first of the month); the unique constraint is
    what keeps a retried or repeated run from sending the same reminder twice."""

    class Kind(models.TextChoices):
        AWAITING_DECISION = "awaiting_decision", "Claims awaiting a decision"
        QUIET_INITIATIVES = "quiet_initiatives", "Initiatives with no recent claim"
        HEALTH_CHECKS_DUE = "health_checks_due", "Health checks due"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.DateField()
    items = models.PositiveIntegerField(help_text="How many claims or initiatives it listed.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = "reminder sent"
        verbose_name_plural = "reminders sent"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period"], name="reminder_once_per_person_kind_period"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.period:%Y-%m-%d} to {self.user_id}"
