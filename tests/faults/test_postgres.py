"""PostgreSQL stopped and started again under gunicorn and the worker: every request meanwhile
is answered at once with the 503 page (never a 500, never a hang), and web and worker carry on
when it is back without being restarted."""

import time
from collections import Counter

import pytest

from tests.faults.scene import PEOPLE
from tests.security import figures

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 10
RECOVERY_SECONDS = 30
CONVERGE_SECONDS = 60


def test_postgresql_restarted(stack):
    made = stack.build(initiatives=2, claims_each=4)
    stack.start()
    officer = stack.person(PEOPLE["officer"])
    manager = stack.person(PEOPLE["manager"], second_factor=True)
    claims = made["claims"]
    half = len(claims) // 2
    for claim in claims[:half]:
        assert officer.form(f"/claims/{claim}/submit/", {}).status_code == 302
        assert manager.form(f"/claims/{claim}/decide/", {"decision": "verify"}).status_code == 302
    worker, web = stack.processes["worker"].pid, stack.processes["web"].pid

    stack.postgres.stop()
    stopped = time.monotonic()
    answers, slowest, wrong = Counter(), 0.0, []
    visitor = type(officer)(stack.base, "")
    while time.monotonic() - stopped < OUTAGE_SECONDS:
        for person, method, path in (
            (manager, "get", "/dashboard/"),
            (officer, "get", f"/claims/{claims[half]}/"),
            (officer, "post", f"/claims/{claims[half]}/submit/"),
            (visitor, "get", "/register/"),
            (visitor, "get", "/readyz"),
        ):
            asked = time.monotonic()
            response = person.form(path, {}) if method == "post" else person.get(path)
            slowest = max(slowest, time.monotonic() - asked)
            answers[response.status_code] += 1
            if response.status_code != 503 or (
                path != "/readyz"
                and (
                    "the service is unavailable" not in response.text
                    or response.headers.get("Retry-After") != "30"
                )
            ):
                wrong.append((path, response.status_code))
        time.sleep(0.5)
    stack.postgres.start()
    started = time.monotonic()
    while manager.get("/dashboard/").status_code != 200:
        assert time.monotonic() - started < RECOVERY_SECONDS, stack.logs()
        time.sleep(0.5)
    web_back = time.monotonic() - started
    for claim in claims[half:]:
        assert officer.form(f"/claims/{claim}/submit/", {}).status_code == 302
        assert manager.form(f"/claims/{claim}/decide/", {"decision": "verify"}).status_code == 302
    _, after = stack.converged(CONVERGE_SECONDS)
    converged = time.monotonic() - started

    assert wrong == []
    assert slowest < 5
    assert stack.processes["worker"].pid == worker and stack.processes["worker"].alive()
    assert stack.processes["web"].pid == web and stack.processes["web"].alive()
    assert after["claims"]["verified"] == after["decisions"] == len(claims)
    figures.record(
        "faults: PostgreSQL restarted",
        f"PostgreSQL stopped for {started - stopped:.0f} s: {sum(answers.values())} requests "
        f"answered {dict(answers)} (the 503 page; slowest {slowest:.2f} s); pages answered again "
        f"{web_back:.1f} s after it started, and the worker's dashboards equal to a fresh "
        f"computation {converged:.1f} s after, neither restarted; verified claims {half} before, "
        f"{after['claims']['verified']} after (the rest submitted and verified once it was back)",
    )
