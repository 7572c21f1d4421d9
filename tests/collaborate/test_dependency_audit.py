"""`make audit` (.ci/audit_dependencies.py) judges the advisory reports: it fails on a known
vulnerability with a fix, lists one without a fix, and never reads an audit that could not
look (what this machine's registries answer) as a clean one."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_dependencies.py"


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def vuln(identifier, *fixes):
    return {"id": identifier, "fix_versions": list(fixes), "aliases": [], "description": ""}


def test_a_python_vulnerability_with_a_fixed_release_fails_the_audit(audit):
    state, lines = audit.python_verdict(
        {
            "dependencies": [
                {"name": "django", "version": "6.1.0", "vulns": [vuln("PYSEC-1", "6.1.1")]},
                {"name": "celery", "version": "5.7.0", "vulns": []},
            ]
        }
    )
    assert state == audit.FIXABLE
    assert lines == ["django 6.1.0: PYSEC-1, fixed in 6.1.1"]


def test_a_python_vulnerability_without_a_fix_is_listed_but_does_not_fail(audit):
    state, lines = audit.python_verdict(
        {"dependencies": [{"name": "gunicorn", "version": "27.0.1", "vulns": [vuln("GHSA-2")]}]}
    )
    assert state == audit.CLEAN
    assert lines == ["gunicorn 27.0.1: GHSA-2, no fixed version yet (reported, not failing)"]


def test_packages_the_service_could_not_find_are_never_a_clean_audit(audit):
    """A registry mirror without PyPI's JSON API makes pip-audit skip every package and exit 0
    saying "No known vulnerabilities found": the audit says it could not look."""
    skipped = "Dependency not found on PyPI and could not be audited: amqp (5.4.2)"
    state, lines = audit.python_verdict(
        {"dependencies": [{"name": "amqp", "skip_reason": skipped}], "fixes": []}
    )
    assert state == audit.UNREACHABLE
    assert lines[0] == "none of 1 Python packages could be audited"


def test_some_packages_skipped_are_counted_beside_the_verdict(audit):
    state, lines = audit.python_verdict(
        {
            "dependencies": [
                {"name": "amqp", "skip_reason": "not found"},
                {"name": "django", "version": "6.1.3", "vulns": []},
            ]
        }
    )
    assert state == audit.CLEAN
    assert lines == ["1 of 2 Python packages could not be audited"]


@pytest.mark.parametrize(
    "fix, state, line",
    [
        (True, "fixable", "sass (high severity): a fix is available (npm audit fix)"),
        (
            {"name": "sass", "version": "1.109.0", "isSemVerMajor": False},
            "fixable",
            "sass (high severity): a fix is available sass@1.109.0 (npm audit fix)",
        ),
        (False, "clean", "sass (high severity): no fix available yet (reported, not failing)"),
    ],
)
def test_npm_fails_only_on_a_vulnerability_with_a_fix_available(audit, fix, state, line):
    report = {
        "auditReportVersion": 2,
        "vulnerabilities": {"sass": {"severity": "high", "fixAvailable": fix, "via": []}},
    }
    assert audit.npm_verdict(report) == (state, [line])


def test_npms_audit_endpoint_refusing_is_not_audited(audit):
    """What the registry here answers to npm audit's bulk advisory request."""
    report = {
        "message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/"
        "advisories/bulk",
        "statusCode": 405,
    }
    state, lines = audit.npm_verdict(report)
    assert state == audit.UNREACHABLE
    assert "405 Method Not Allowed" in lines[0]


def test_the_audit_fails_when_either_side_has_a_fixable_vulnerability(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit, "python_audit", lambda: (audit.UNREACHABLE, ["no answer"]))
    monkeypatch.setattr(audit, "npm_audit", lambda: (audit.FIXABLE, ["sass: a fix is available"]))
    assert audit.main() == 1
    output = capsys.readouterr()
    assert "NOT AUDITED" in output.err and "sass: a fix is available" in output.out


def test_the_audit_passes_loudly_when_no_advisory_service_answers(audit, monkeypatch, capsys):
    for side in ("python_audit", "npm_audit"):
        monkeypatch.setattr(audit, side, lambda: (audit.UNREACHABLE, ["no answer"]))
    assert audit.main() == 0
    assert capsys.readouterr().err.count("NOT AUDITED") == 2
