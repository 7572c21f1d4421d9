"""tests/api/client_script.py, a client that uses only `requests`, run as a subprocess against
the live server with a real Celery worker: it records an initiative, a partner, a target and a
claim, has it verified, and sees the verified saving in the progress figures."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from initiatives.models import InitiativeProgress, SavingsClaim
from tests import factories

SCRIPT = Path(__file__).with_name("client_script.py")

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_client_with_only_requests_claims_and_sees_the_verified_saving(
    celery_worker, live_server, officer, manager, partner_council
):
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            live_server.url,
            factories.api_secret(officer),
            factories.api_secret(manager),
            str(partner_council.pk),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "progress shows £12000.00 verified" in result.stdout, result.stdout
    claim = SavingsClaim.objects.get()
    assert claim.status == SavingsClaim.Status.VERIFIED and claim.reviewed_by == manager
    progress = InitiativeProgress.objects.get(initiative=claim.initiative)
    assert progress.verified == Decimal("12000.00")
