"""The fault suite's data, made and read in a process of its own against a test's database
(`python -m tests.faults.scene build|state|reconcile`, with DATABASE_URL set): the suite's own
process never connects to the cluster through Django. Prints one line of JSON.

`build` runs with REDIS_URL unset, so that the figures of what it makes are computed at once
(Celery eager) and the test starts from healthy dashboards with no marks left."""

import json
import os
import sys
from decimal import Decimal

import django

PEOPLE = {
    "officer": "officer@faults.example.gov.uk",
    "manager": "manager@faults.example.gov.uk",
}


def build(initiatives, claims_each):
    from tests import factories

    lead = factories.OrganisationFactory(name="Leeds City Council")
    partner = factories.OrganisationFactory(name="Bradford Council")
    officer = factories.UserFactory(email=PEOPLE["officer"], member_of=[(lead, "officer")])
    manager = factories.UserFactory(email=PEOPLE["manager"], member_of=[(lead, "manager")])
    made = {"initiatives": [], "claims": []}
    for number in range(initiatives):
        initiative = factories.make_partnered_initiative(
            officer, lead, partner, lead_share="60", manager=manager, title=f"Shared {number}"
        )
        made["initiatives"].append(initiative.pk)
        for claim_number in range(claims_each):
            amount = Decimal(1000 + 10 * number + claim_number)
            claim = factories.make_claim(officer, initiative, lead, gross_amount=amount)
            made["claims"].append(claim.pk)
    return {**made, "people": PEOPLE}


def state():
    from initiatives.models import ProgressDirty, SavingsClaim
    from initiatives.progress import reconcile

    statuses = dict.fromkeys(SavingsClaim.Status.values, 0)
    for status in SavingsClaim.objects.values_list("status", flat=True):
        statuses[status] += 1
    return {
        "claims": statuses,
        "decisions": SavingsClaim.objects.filter(reviewed_at__isnull=False).count(),
        "dirty": ProgressDirty.objects.count(),
        "differences": reconcile.progress_differences(),
    }


def check():
    """`manage.py check_data`'s checks: the failures of each (none: nothing half-written)."""
    from initiatives import integrity

    return {name: [str(failure) for failure in run()] for name, run in integrity.CHECKS.items()}


def queue_reconcile():
    from initiatives.progress import tasks

    return {"task": tasks.progress_reconcile.delay().id}


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collaborate.settings")
    django.setup()
    command, *args = argv
    if command == "build":
        result = build(int(args[0]), int(args[1]))
    elif command == "state":
        result = state()
    elif command == "check":
        result = check()
    elif command == "reconcile":
        result = queue_reconcile()
    else:
        raise SystemExit(f"unknown command {command!r}")
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
