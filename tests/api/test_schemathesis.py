"""A client nobody here wrote: schemathesis reads /api/schema/ and sends what the schema allows
to every operation, in-process through the WSGI application, as three people (anonymous, the
lead officer and the lead manager, each with a real API token) on the security sweeps' scene,
so that the ids it needs exist. Every answer must be documented (status code, content type,
body) and none may be a 5xx.

API_FUZZ_EXAMPLES sets the examples per operation (5 by default; `make fuzz-api` uses 200)."""

import contextlib
import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from collaborate.wsgi import application
from initiatives.models import ClaimEvidence, Initiative, Partnership, SavingsClaim
from partners.models import Organisation
from tests import factories
from tests.security import figures, scene

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]


def bearer(user):
    return {"Authorization": f"Bearer {factories.api_secret(user, name='schemathesis')}"}


@contextlib.contextmanager
def connection_kept():
    """The WSGI handler closes the database connection at each request's start and end; the
    test's transaction lives on it, so (as Django's test client does) it is kept open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def known_values():
    """The scene's ids, by (first part of the path, parameter): path parameters are drawn from
    these as often as from anything the schema allows, so that most requests reach a record."""
    pks = lambda model: list(model.objects.order_by("pk").values_list("pk", flat=True))  # noqa: E731
    return {
        ("claims", "id"): pks(SavingsClaim),
        ("claims", "evidence_pk"): pks(ClaimEvidence),
        ("initiatives", "id"): pks(Initiative),
        ("initiatives", "partnership_pk"): pks(Partnership),
        ("organisations", "id"): pks(Organisation),
        ("register", "reference"): list(Initiative.objects.values_list("reference", flat=True)),
    }


def property_of(operation, known, headers):
    """The hypothesis test of one operation: cases the schema allows, path ids mostly the
    scene's, each sent and checked."""
    part = operation.path.removeprefix("/api/v1/").split("/")[0]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        for name, value in (case.path_parameters or {}).items():
            values = known.get((part, name))
            if values:
                case.path_parameters[name] = data.draw(st.sampled_from([value, *values]))
        case.call_and_validate(headers=headers, checks=CHECKS)
        sent[headers.get("Authorization", "anonymous")[:12]] += 1
        figures.record(
            "API fuzzing (schemathesis)",
            f"{sum(sent.values())} requests from the schema ({EXAMPLES} examples an operation at "
            f"most) to {len(operations_seen)} operations as {len(sent)} people; every answer "
            "documented, no 5xx",
        )
        operations_seen.add(operation.label)

    return run


sent = Counter()
operations_seen = set()


def describe(error):
    """A failure as text: schemathesis's own account of each distinct failure (with its curl)."""
    if isinstance(error, BaseExceptionGroup):
        return "\n".join(describe(one) for one in error.exceptions)
    return f"{type(error).__name__}: {error}"


def fuzz(headers):
    """Every operation of the schema, EXAMPLES cases each; the failures as text, one a line."""
    known = known_values()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        try:
            property_of(operation, known, headers)()
        except (Exception, BaseExceptionGroup) as error:  # all are reported, then the test fails
            failures.append(f"{operation.label}: {describe(error)}"[:3000])
    assert operations, "the schema has no operations"
    return failures


@pytest.mark.parametrize("role", [scene.ANONYMOUS, scene.LEAD_OFFICER, scene.LEAD_MANAGER])
def test_every_answer_is_in_the_schema(api_scene, role):
    headers = {} if role == scene.ANONYMOUS else bearer(api_scene.people[role])
    with connection_kept():
        failures = fuzz(headers)
    assert not failures, "\n\n".join(failures)
