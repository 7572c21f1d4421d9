"""The import contracts of `make lint` hold, and they would catch an import that breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, check=False
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the project's code and contracts, to plant imports in."""
    for package in ("collaborate", "initiatives", "partners", "tests"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_project_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_partners_importing_initiatives_breaks_a_contract(tree):
    (tree / "partners" / "planted.py").write_text("from initiatives import models\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "partners, the lower app, never imports initiatives BROKEN" in result.stdout
    assert "partners.planted -> initiatives.models" in result.stdout


def test_a_service_importing_django_http_breaks_a_contract(tree):
    planted = tree / "partners" / "services" / "planted.py"
    planted.write_text("from django.http import HttpResponse\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "services and selectors never touch requests or responses BROKEN" in result.stdout
    assert "partners.services.planted:1: from django.http import HttpResponse" in result.stdout


def test_no_module_of_the_product_outgrows_six_hundred_lines():
    """Past one clear purpose a module becomes a package (STYLE.md); 600 lines is where we
    look again. Migrations are written by Django and do not count."""
    long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for package in ("collaborate", "initiatives", "partners")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > 600
    ]
    assert long == []


def test_an_app_importing_the_project_package_beyond_its_kit_breaks_a_contract(tree):
    (tree / "initiatives" / "planted.py").write_text(
        "from collaborate.kit import web\nfrom collaborate import context_processors\n"
    )
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "apps import from the project package only its kit BROKEN" in result.stdout
    assert "initiatives.planted -> collaborate.context_processors" in result.stdout
    assert "initiatives.planted -> collaborate.kit.web" not in result.stdout
