"""A client of the Collaborate API that knows nothing of the project: only `requests` and the
standard library. It records an initiative as an officer, has a manager add a partner, sets a
target, drafts and submits a claim as the officer, verifies it as the manager, then waits (60 s
at most) for the verified saving to show in the initiative's progress figures. It prints each
step and exits 0 on success.

    python tests/api/client_script.py BASE_URL OFFICER_TOKEN MANAGER_TOKEN [PARTNER_ORG_ID]

or with COLLABORATE_URL, OFFICER_TOKEN, MANAGER_TOKEN (and PARTNER_ORGANISATION) set."""

import datetime
import os
import sys
import time
import uuid
from decimal import Decimal

import requests

TIMEOUT = 60  # seconds to wait for the figure
GROSS = Decimal("12500.00")
COST = Decimal("500.00")


class Failed(Exception):
    pass


class Api:
    def __init__(self, base_url, token):
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept"] = "application/json"

    def call(self, method, path, expect, **kwargs):
        response = self.session.request(method, self.base + path, timeout=30, **kwargs)
        if response.status_code not in expect:
            raise Failed(f"{method} {path} answered {response.status_code}: {response.text[:2000]}")
        return response.json() if response.content else None


def step(message):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def current_financial_year(today=None):
    today = today or datetime.date.today()
    return today.year if today.month >= 4 else today.year - 1


def partner_for(officer, lead_id, wanted):
    if wanted:
        return int(wanted)
    page = officer.call("GET", "organisations/", {200})
    for organisation in page["results"]:
        if organisation["id"] != lead_id:
            return organisation["id"]
    raise Failed("no organisation to partner with")


def run(base_url, officer_token, manager_token, partner=None):
    officer, manager = Api(base_url, officer_token), Api(base_url, manager_token)
    year = current_financial_year()

    initiative = officer.call(
        "POST",
        "initiatives/",
        {201},
        json={
            "title": f"Shared revenues service {uuid.uuid4().hex[:6]}",
            "summary": "Two councils share one revenues and benefits team.",
            "collaboration_model": "shared_service",
            "service_area": "revenues_benefits",
            "start_date": f"{year}-04-01",
        },
    )
    pk = initiative["id"]
    step(f"created initiative {initiative['reference']} (id {pk})")

    # Partners are the lead's managers' choice, as on the pages.
    organisation = partner_for(officer, initiative["lead"]["id"], partner)
    manager.call(
        "POST", f"initiatives/{pk}/partnerships/", {200, 201}, json={"organisation": organisation}
    )
    step(f"added organisation {organisation} as a partner")

    targets = officer.call("GET", f"initiatives/{pk}/targets/", {200})
    if not targets["targets"]:
        targets = officer.call(
            "PUT",
            f"initiatives/{pk}/targets/",
            {200},
            json={
                "version": targets["version"],
                "targets": [{"financial_year": year, "amount": "50000.00"}],
            },
        )
        step(f"set a target of £50,000.00 for {year}/{(year + 1) % 100:02d}")

    claim = officer.call(
        "POST",
        "claims/",
        {201},
        json={
            "initiative": pk,
            "financial_year": year,
            "category": "cost_reduction",
            "kind": "cash_releasing",
            "recurrence": "recurring",
            "gross_amount": str(GROSS),
            "implementation_cost": str(COST),
            "description": "One team now does the work of two.",
            "service_quality": "maintained",
            "service_quality_statement": "Processing times unchanged.",
        },
    )
    step(f"drafted claim {claim['reference']} (id {claim['id']}) for £{claim['net_amount']}")
    claim = officer.call(
        "POST", f"claims/{claim['id']}/submit/", {200}, json={"version": claim["version"]}
    )
    step(f"submitted the claim: {claim['status']}")
    claim = manager.call(
        "POST",
        f"claims/{claim['id']}/verify/",
        {200},
        json={"version": claim["version"], "note": "Checked against the ledger."},
    )
    step(f"the manager verified the claim: {claim['status']}")

    expected = Decimal(claim["net_amount"])
    deadline = time.monotonic() + TIMEOUT
    while True:
        figures = officer.call("GET", f"initiatives/{pk}/progress/", {200})
        verified = figures.get("verified")
        if verified is not None and Decimal(verified) >= expected:
            step(f"progress shows £{verified} verified")
            return Decimal(verified)
        if time.monotonic() > deadline:
            raise Failed(f"after {TIMEOUT} s progress still shows {verified!r}, not {expected}")
        step(f"progress shows {verified!r} verified (pending: {figures.get('pending')}); waiting")
        time.sleep(1)


def main(argv):
    args = argv[1:]
    base = args[0] if len(args) > 0 else os.environ.get("COLLABORATE_URL")
    officer = args[1] if len(args) > 1 else os.environ.get("OFFICER_TOKEN")
    manager = args[2] if len(args) > 2 else os.environ.get("MANAGER_TOKEN")
    partner = args[3] if len(args) > 3 else os.environ.get("PARTNER_ORGANISATION")
    if not (base and officer and manager):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        run(base, officer, manager, partner)
    except (Failed, requests.RequestException) as error:
        step(f"FAILED: {error}")
        return 1
    step("done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
