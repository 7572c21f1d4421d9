"""Where a council is and what it is like, from the council register (partners/data/): what
finding partners ranks by (distance, shared geography, councils of a similar size and type).
Organisations that are not councils have no place."""

from django.db import models

from partners.models import Organisation


class ResilienceForum(models.Model):
    """A local resilience forum: the councils and emergency services of an area (England)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    gss_code = models.CharField("GSS code", max_length=9, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Place(models.Model):
    """One council's location (its centre, WGS84), population (2020 estimate), the county
    council and combined authority it belongs to, and its local resilience forum."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="place"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    county = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="county_places",
        verbose_name="county council",
    )
    combined_authority = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="combined_authority_places",
    )
    resilience_forum = models.ForeignKey(
        ResilienceForum,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
        verbose_name="local resilience forum",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="place_coordinates_valid",
            )
        ]

    def __str__(self):
        return f"Place of {self.organisation_id}"
