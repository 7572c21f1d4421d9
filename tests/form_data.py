"""What the product's forms take, filled in validly, so that a test changes only the fields it
is about: form_data.organisation(name="  ")."""


def organisation(**changes):
    """The organisation form: a new charity in Yorkshire."""
    return {
        "name": "Aire Valley Community Trust",
        "short_name": "",
        "sector": "social",
        "kind": "charity",
        "gss_code": "",
        "nation": "england",
        "region": "yorkshire",
        "website": "",
        **changes,
    }


def initiative(**changes):
    """The new initiative form: a joint procurement from 1 April 2026, with no end planned."""
    return {
        "title": "Joint procurement",
        "summary": "",
        "collaboration_model": "shared_service",
        "service_area": "procurement",
        "governance": "informal",
        "start_date_0": "1",
        "start_date_1": "4",
        "start_date_2": "2026",
        "planned_end_date_0": "",
        "planned_end_date_1": "",
        "planned_end_date_2": "",
        **changes,
    }


def invitation(organisation, **changes):
    """The invite form: a new person as an officer of `organisation`."""
    return {
        "full_name": "New Person",
        "email": "new.person@example.gov.uk",
        "organisation": organisation.pk,
        "role": "officer",
        **changes,
    }
