"""Find the Odoo 18 the commands run against (never install it)."""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADDONS = (
    "hotel_crm",
    "hotel_loyalty",
    "hotel_feedback",
    "hotel_feedback_loyalty",
    "hotel_marketing",
    "hotel_marketing_loyalty",
    "hotel_marketing_feedback",
    "hotel_marketing_sms",
    "hotel_import",
)
# The bridge to OCA's Hotel Management (vertical-hotel): tested where that addon can be
# installed from PyPI (as an Odoo addon wheel, into a folder of its own on the addons path)
PMS_BRIDGE = "hotel_crm_oca_hotel"
PMS_WHEEL = "odoo-addon-hotel>=18.0,<18.1"

PROBE = r"""
import json, os, sys
try:
    import odoo, odoo.release as r
except Exception as exc:  # noqa: BLE001
    print(json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)}))
    sys.exit(0)
pkg = os.path.dirname(odoo.__file__)
paths = [p for p in (os.path.join(pkg, "addons"), os.path.join(os.path.dirname(pkg), "addons"))
         if os.path.isdir(os.path.join(p, "web"))]
print(json.dumps({"version": list(r.version_info[:2]), "serie": r.serie, "file": odoo.__file__,
                  "addons": paths}))
"""


@dataclass
class Odoo:
    python: str
    version: str
    addons_paths: list

    @property
    def addons_path(self):
        return ",".join([str(REPO), *self.addons_paths])

    def with_addons(self, *paths):
        """The same Odoo with more addons folders (e.g. OCA addons installed from PyPI)."""
        return Odoo(python=self.python, version=self.version,
                    addons_paths=[*self.addons_paths, *map(str, paths)])


def odoo_python():
    return os.environ.get("ODOO_PYTHON") or shutil.which("python3") or "python3"


def find_odoo():
    """Return (Odoo, None) when Odoo 18 is importable, else (None, reason)."""
    python = odoo_python()
    try:
        out = subprocess.run(
            [python, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
        ).stdout.strip().splitlines()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{python} could not be started ({exc})"
    if not out:
        return None, f"{python} printed nothing when asked to import odoo"
    info = json.loads(out[-1])
    if "error" in info:
        return None, f"{python} cannot import odoo ({info['error']})"
    if tuple(info["version"]) != (18, 0):
        return None, f"{python} imports Odoo {info['serie']}, these addons need 18.0"
    if not info["addons"]:
        return None, f"Odoo at {info['file']} has no addons directory with the web module"
    return Odoo(python=python, version=info["serie"], addons_paths=info["addons"]), None
