"""The one signal that changes data: an organisation was merged into another.

`partners` sends it inside the merge's transaction; apps above it (initiatives) answer by
moving what they own from the duplicate to the survivor. A receiver that raises rolls the
whole merge back."""

from django.dispatch import Signal

# Sent with: duplicate (merged away), survivor (kept), actor (the admin who merged).
organisation_merged = Signal()
