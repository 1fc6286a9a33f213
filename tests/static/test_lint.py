"""Linters: ruff (ruff.toml) over the Python code, pylint-odoo mandatory checks per addon.

Both tools run as `sys.executable -m ...`, so they must be installed in the
interpreter running pytest.  A missing tool is a failure, not a skip: a green
run must mean the code was linted.
"""

import importlib.util
import subprocess
import sys

import pytest

INSTALL_HINT = (
    "run the project's test command `make test` (python3 -m hotel_tools test), which "
    "installs the test requirements (or: python3 -m pip install ruff pylint-odoo polib lxml)"
)
# Repository directories linted by ruff besides the addons, when they exist,
# plus the top-level *.py files (setup.py).
RUFF_EXTRA_DIRS = ("tests", "data", "bench", "tools", "hotel_tools")


def require(module: str, package: str):
    if importlib.util.find_spec(module) is None:
        pytest.fail(
            f"{package} is not installed for {sys.executable}: {INSTALL_HINT}", pytrace=False
        )


def run(args, cwd):
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_ruff(repo_root, addons):
    require("ruff", "ruff")
    targets = [str(path) for path in addons]
    targets += [str(repo_root / name) for name in RUFF_EXTRA_DIRS if (repo_root / name).is_dir()]
    targets += [str(path) for path in sorted(repo_root.glob("*.py"))]
    result = run(
        [
            "ruff",
            "check",
            "--no-cache",
            "--no-fix",
            "--output-format=concise",
            "--config",
            str(repo_root / "ruff.toml"),
            *targets,
        ],
        cwd=repo_root,
    )
    if result.returncode != 0:
        pytest.fail(
            f"ruff check (config {repo_root / 'ruff.toml'}) found problems:\n"
            f"{result.stdout}{result.stderr}",
            pytrace=False,
        )


def test_pylint_odoo_mandatory(repo_root, addon):
    require("pylint_odoo", "pylint-odoo")
    rcfile = repo_root / ".pylintrc-mandatory"
    if not rcfile.is_file():
        pytest.fail(f"{rcfile}: missing", pytrace=False)
    result = run(
        [
            "pylint",
            f"--rcfile={rcfile}",
            "--output-format=text",
            "--score=n",
            "--reports=n",
            addon.name,
        ],
        cwd=addon.parent,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        pytest.fail(
            f"pylint-odoo mandatory checks ({rcfile.name}) failed on {addon.name} "
            f"(exit {result.returncode}):\n{output}",
            pytrace=False,
        )
