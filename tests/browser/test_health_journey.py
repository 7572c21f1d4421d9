"""Two partners answer the collaboration health check of a live initiative and see it
differently: the lead's officer opens the Health check section, tries to send it empty (the
error summary says what is missing), then answers; the partner's officer answers with scores far
apart from the lead's on shared vision. The section flags where the partners disagree, with the
median and the trend's table, and the lead's manager finds the initiative in the dashboard's
"Collaboration health" panel and follows its link back. In Chromium, with and without
JavaScript; every page and every htmx swap passes axe-core and raises no CSP violation."""

import pytest
from playwright.sync_api import expect

from initiatives.models import HealthCheck, Initiative
from tests import factories
from tests.fixtures_browser import send_empty, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Shared revenues and benefits service"
BUTTON = "Send the answer"


@pytest.fixture
def live(council, partner_council):
    return factories.InitiativeFactory(
        lead=council,
        title=TITLE,
        status=Initiative.Status.LIVE,
        shares={council: 60, partner_council: 40},
    )


def open_health_section(checked, initiative):
    page = checked.page
    checked.goto(f"/initiatives/{initiative.pk}/")
    tab = page.get_by_role("navigation", name="Sections of this initiative").get_by_role(
        "link", name="Health check"
    )
    if checked.javascript:
        checked.after_swap(tab.click, "the health check section, swapped in")
    else:
        tab.click()
        checked.check("the health check section")
    expect(page.get_by_role("heading", name="Collaboration health check")).to_be_visible()


def answer(checked, scores, comment=None):
    """Choose a score for each dimension (by its legend), optionally comment on governance, and
    send the form."""
    page = checked.page
    for legend, score in scores.items():
        page.get_by_role("group", name=legend).get_by_label(str(score), exact=True).check()
    if comment:
        page.get_by_label("Comment on governance (optional)").fill(comment)
    button = page.get_by_role("button", name=BUTTON)
    if checked.javascript:
        checked.after_swap(button.click, "the section after answering, swapped in")
    else:
        button.click()
        checked.check("the section after answering")


DIMENSIONS = [
    "Shared vision and objectives",
    "Leadership willing to cede and share resources and power",
    "Time invested in relationships and trust",
    "Governance",
    "Structural fit (systems, contracts, geography)",
    "Service improvement",
    "Resilience",
]


def test_health_journey(
    checked, live, officer, partner_officer, manager, password, council, partner_council
):
    page = checked.page

    # The lead's officer: the form refuses to go empty, then takes the lead's answer.
    sign_in(checked, officer, password)
    open_health_section(checked, live)
    expect(page.locator("#health-none")).to_contain_text("No partner has answered")
    send_empty(checked, BUTTON, "Choose a score from 1 to 5 for shared vision and objectives")
    assert not HealthCheck.objects.exists()
    answer(
        checked,
        {**dict.fromkeys(DIMENSIONS, 4), "Shared vision and objectives": 3},
        comment="The joint board <b>rarely</b> meets",
    )
    expect(page.locator("#health-latest")).to_contain_text("1 partner answered")
    expect(page.locator("#health-comments")).to_contain_text(
        "Leeds City Council: The joint board <b>rarely</b> meets"
    )
    sign_out(checked)

    # The partner's officer sees shared vision very differently.
    sign_in(checked, partner_officer, password)
    open_health_section(checked, live)
    answer(checked, {**dict.fromkeys(DIMENSIONS, 4), "Shared vision and objectives": 1})
    assert HealthCheck.objects.filter(initiative=live).count() == 2
    warning = page.locator("#health-disagreements")
    expect(warning).to_contain_text("Partners disagree on 1 dimension")
    expect(warning).to_contain_text("shared vision and objectives (scores from 1 to 3)")
    row = page.locator("#health-latest tbody tr").filter(has_text="Shared vision")
    expect(row).to_contain_text("2")
    expect(row.locator(".govuk-tag--orange")).to_have_text("Partners disagree")
    expect(row.locator(".govuk-tag--red")).to_have_text("Weak")
    expect(page.locator("#health-trend table")).to_contain_text("Shared vision and objectives")
    expect(page.locator("#health-trend svg")).to_be_visible()
    sign_out(checked)

    # The lead's manager: the dashboard's panel lists it, and its link opens the section.
    sign_in(checked, manager, password)
    panel = page.locator("#collaboration-health")
    expect(panel).to_contain_text("1 initiative has a dimension")
    expect(panel).to_contain_text("shared vision and objectives, median 2; partners disagree")
    panel.get_by_role("link", name=TITLE).click()
    checked.check("the health check from the dashboard")
    expect(page.locator("#health-disagreements")).to_be_visible()
    expect(page.locator("#health-progress")).to_contain_text("Bradford Council")
    expect(page.locator("#health-progress")).to_contain_text("Every partner has answered")
