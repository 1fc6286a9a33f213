"""Fixtures for the static-check layer.

This layer never imports Odoo: it reads the addons' files (manifests, Python
sources, XML, CSV, PO) and checks them with the standard library plus polib,
lxml, ruff and pylint-odoo.

Addon discovery: every direct sub-directory of the addons root that holds a
``__manifest__.py`` is an addon.  The addons root is the repository root,
unless the environment variable ``HOTEL_ADDONS_ROOT`` points somewhere else
(used to prove the checks catch defects in a throwaway addon).

Every test that takes the ``addon`` fixture runs once per addon; the test id
is the addon's name, e.g. ``test_manifest_keys[hotel_crm]``.
"""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def addons_root() -> Path:
    """Directory scanned for addons: $HOTEL_ADDONS_ROOT or the repository root."""
    env = os.environ.get("HOTEL_ADDONS_ROOT")
    return Path(env).resolve() if env else REPO_ROOT


def discover_addons(root: Path | None = None) -> list[Path]:
    """Sorted list of addon directories (direct children holding __manifest__.py)."""
    root = root or addons_root()
    if not root.is_dir():
        return []
    return sorted(
        child
        for child in root.iterdir()
        if child.is_dir()
        and not child.name.startswith(".")
        and (child / "__manifest__.py").is_file()
    )


def pytest_generate_tests(metafunc):
    if "addon" in metafunc.fixturenames:
        found = discover_addons()
        metafunc.parametrize("addon", found, ids=[path.name for path in found])


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (holds ruff.toml and .pylintrc-mandatory)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def addons_dir() -> Path:
    """The directory the addons are discovered in (see module docstring)."""
    return addons_root()


@pytest.fixture(scope="session")
def addons() -> list[Path]:
    """All discovered addon directories."""
    return discover_addons()


# pytest-odoo (used by the Odoo test layer), where installed, is loaded by every
# pytest run: it imports odoo, registers autouse fixtures that build a registry
# (they need a database) and imports odoo.tests before each test.  This layer
# must not need Odoo, so:
#   - best: run it with `-p no:odoo` (then none of this matters);
#   - otherwise, when pytest-odoo was given no database (no --odoo-database,
#     --odoo-config, --odoo-dev, ODOO_RC, OPENERP_SERVER: it could not work
#     anyway), the plugin is unregistered, and the same-named no-op fixtures
#     below replace its autouse fixtures.  On machines without the plugin all
#     of this does nothing.
def _pytest_odoo_has_database(config) -> bool:
    for option in ("--odoo-database", "--odoo-config", "--odoo-dev"):
        try:
            if config.getoption(option):
                return True
        except ValueError:  # option unknown: the plugin is not installed
            return False
    return bool(os.environ.get("ODOO_RC") or os.environ.get("OPENERP_SERVER"))


def pytest_configure(config):
    plugin = config.pluginmanager.get_plugin("odoo")
    if getattr(plugin, "__name__", None) == "pytest_odoo" and not _pytest_odoo_has_database(config):
        config.pluginmanager.unregister(plugin)


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    yield


@pytest.fixture(scope="session", autouse=True)
def load_http():
    yield


@pytest.fixture(scope="module", autouse=True)
def enable_odoo_test_flag():
    yield
