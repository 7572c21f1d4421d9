"""Fixtures every test may use: the people of DESIGN.md §3, real services, page checks."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests import factories, services
from tests.people import People
from tests.security import figures

pytest_plugins = ["tests.fixtures_celery", "tests.fixtures_browser", "tests.fixtures_oidc"]


def pytest_terminal_summary(terminalreporter):
    if services.missing:
        terminalreporter.section("SERVICES MISSING", sep="!", red=True, bold=True)
        for service in sorted(services.missing):
            terminalreporter.line(
                f"{service} was not available: the tests that need it were SKIPPED. "
                "Start it (see README) or run with REQUIRE_SERVICES=1 to make this an error.",
                red=True,
            )
    lines = figures.report()
    if lines:
        terminalreporter.section("what the sweeps and fuzzers sent")
        for line in lines:
            terminalreporter.line(line)


def pytest_sessionfinish(session):
    """Under pytest-xdist, a worker hands what it saw to the controller, which reports it."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["services_missing"] = sorted(services.missing)
        output["figures"] = figures.recorded()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {})
    services.missing.update(output.get("services_missing", ()))
    figures.merge(output.get("figures", {}))


@pytest.fixture(scope="session", autouse=True)
def _collected_static_files():
    """Tests run with production settings, whose static storage serves hashed file names from
    the manifest that collectstatic writes."""
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def postgres(db):
    services.need_postgres()


@pytest.fixture
def password():
    return factories.PASSWORD


@pytest.fixture
def council(db):
    return factories.OrganisationFactory(name="Leeds City Council", kind="metropolitan_borough")


@pytest.fixture
def partner_council(db):
    return factories.OrganisationFactory(name="Bradford Council", kind="metropolitan_borough")


@pytest.fixture
def other_council(db):
    return factories.OrganisationFactory(name="Cornwall Council", kind="unitary_authority")


@pytest.fixture
def officer(council):
    return factories.UserFactory(full_name="Olive Officer", member_of=[(council, "officer")])


@pytest.fixture
def manager(council):
    return factories.UserFactory(full_name="Mona Manager", member_of=[(council, "manager")])


@pytest.fixture
def partner_officer(partner_council):
    return factories.UserFactory(full_name="Pat Partner", member_of=[(partner_council, "officer")])


@pytest.fixture
def partner_manager(partner_council):
    return factories.UserFactory(full_name="Pam Partner", member_of=[(partner_council, "manager")])


@pytest.fixture
def outsider(other_council):
    return factories.UserFactory(full_name="Oscar Outsider", member_of=[(other_council, "officer")])


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(full_name="Ada Admin", is_staff=True)


@pytest.fixture
def people(
    council,
    partner_council,
    other_council,
    officer,
    manager,
    partner_officer,
    partner_manager,
    outsider,
    admin_user,
):
    """Everyone at once. The same objects as the single fixtures (`officer` is
    `people.lead_officer`), which stay as they are so that a test asking only for an officer
    does not make, and then find in its lists and emails, five more people."""
    return People(
        lead=council,
        partner=partner_council,
        other=other_council,
        lead_officer=officer,
        lead_manager=manager,
        partner_officer=partner_officer,
        partner_manager=partner_manager,
        outsider=outsider,
        admin=admin_user,
    )


@pytest.fixture
def as_user(client):
    """Sign the test client in as a user: as_user(officer)."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def initiative(officer, manager, council, partner_council):
    """Led by Leeds (`council`) with Bradford (`partner_council`), sharing savings 60/40: the
    officer created it, the manager agreed the partners and their shares."""
    return factories.make_partnered_initiative(officer, council, partner_council, manager=manager)
