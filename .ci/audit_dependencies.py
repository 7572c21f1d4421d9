"""Known vulnerabilities in the locked dependencies: pip-audit on the pins of uv.lock (exported
with their hashes), npm audit on package-lock.json.

Exit 1 when a dependency has a known vulnerability that a released version fixes (upgrade it,
lock again, run again). A vulnerability with no fix yet is reported and does not fail the run.
When an advisory service cannot be reached, or answers for none of the packages, the run says
so loudly and passes: a package registry's mirror may serve packages without their advisories,
and an audit that could not look must never read as "no known vulnerabilities".

`make audit` runs it; `.ci/run` runs it before the tests."""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
# pip-audit asks PyPI's JSON API first; OSV is the other service it knows.
PYTHON_SERVICES = ("pypi", "osv")

FIXABLE, CLEAN, UNREACHABLE = "fixable", "clean", "unreachable"


def loud(lines):
    """A warning nobody scrolls past."""
    bar = "!" * 78
    print("\n".join([bar, *(f"!! {line}" for line in lines), bar]), file=sys.stderr)


def python_verdict(report):
    """(state, lines) for a pip-audit JSON report: FIXABLE when a vulnerability has fix
    versions, UNREACHABLE when no dependency was audited, otherwise CLEAN."""
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "vulns" in d]
    if not audited:
        reasons = {d.get("skip_reason", "") for d in dependencies}
        return UNREACHABLE, [
            f"none of {len(dependencies)} Python packages could be audited",
            *sorted(reasons)[:2],
        ]
    lines = []
    skipped = len(dependencies) - len(audited)
    if skipped:
        lines.append(f"{skipped} of {len(dependencies)} Python packages could not be audited")
    state = CLEAN
    for dependency in audited:
        for vuln in dependency["vulns"]:
            fixes = vuln.get("fix_versions") or []
            where = f"{dependency['name']} {dependency['version']}: {vuln['id']}"
            if fixes:
                state = FIXABLE
                lines.append(f"{where}, fixed in {', '.join(fixes)}")
            else:
                lines.append(f"{where}, no fixed version yet (reported, not failing)")
    return state, lines


def npm_verdict(report):
    """(state, lines) for `npm audit --json`: FIXABLE when a vulnerable package has a fix
    available, UNREACHABLE when the audit endpoint answered with an error."""
    if "vulnerabilities" not in report:
        message = report.get("message") or report.get("error", {}).get("summary") or "no report"
        return UNREACHABLE, [f"npm's audit endpoint did not answer: {message}"]
    state, lines = CLEAN, []
    for name, vulnerability in sorted(report["vulnerabilities"].items()):
        fix = vulnerability.get("fixAvailable")
        where = f"{name} ({vulnerability.get('severity', 'unknown')} severity)"
        if fix:
            state = FIXABLE
            target = f" {fix['name']}@{fix['version']}" if isinstance(fix, dict) else ""
            lines.append(f"{where}: a fix is available{target} (npm audit fix)")
        else:
            lines.append(f"{where}: no fix available yet (reported, not failing)")
    return state, lines


def python_audit():
    with tempfile.TemporaryDirectory() as folder:
        requirements, report = Path(folder) / "requirements.txt", Path(folder) / "audit.json"
        subprocess.run(  # noqa: S603 (our own tools, fixed arguments)
            [BIN / "uv", "export", "--frozen", "--all-groups", "--no-emit-project", "--quiet",
             "--output-file", requirements],
            check=True, cwd=ROOT,
        )  # fmt: skip
        unreachable = []
        for service in PYTHON_SERVICES:
            report.unlink(missing_ok=True)
            done = subprocess.run(  # noqa: S603 (our own tools, fixed arguments)
                [BIN / "pip-audit", "--requirement", requirements, "--require-hashes",
                 "--disable-pip", "--vulnerability-service", service, "--format", "json",
                 "--output", report, "--progress-spinner", "off", "--timeout", "20"],
                capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            if not report.exists() or not report.stat().st_size:
                error = (done.stderr.strip().splitlines() or ["no output"])[-1]
                unreachable.append(f"pip-audit could not ask {service}: {error[:300]}")
                continue
            state, lines = python_verdict(json.loads(report.read_text()))
            lines = [f"{service}: {line}" for line in lines]
            if state != UNREACHABLE:
                return state, lines
            unreachable.extend(lines)
        return UNREACHABLE, unreachable


def npm_audit():
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("npm") or "npm", "audit", "--json", "--package-lock-only"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    try:
        return npm_verdict(json.loads(done.stdout))
    except json.JSONDecodeError:
        return UNREACHABLE, [f"npm audit gave no report: {done.stderr.strip()[-300:]}"]


def main():
    failed = False
    for name, audit in (("Python (uv.lock)", python_audit), ("npm (package-lock.json)", npm_audit)):
        state, lines = audit()
        if state == UNREACHABLE:
            loud([f"{name}: NOT AUDITED, the advisory service could not be reached.", *lines])
            continue
        failed = failed or state == FIXABLE
        heading = (
            "known vulnerabilities with a fix" if state == FIXABLE else "no fixable vulnerability"
        )
        print(f"{name}: {heading}")
        for line in lines:
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
