"""Packages the hotel CRM addons under the odoo.addons namespace, and the tooling.

``pip install -e .`` (or a wheel) where Odoo 18 is installed makes ``odoo.addons.hotel_crm``
importable; it does not install Odoo itself, which hotels already run.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent
ADDONS = sorted(p.parent.name for p in ROOT.glob("*/__manifest__.py"))


def addon_packages():
    packages, package_dir = [], {}
    for addon in ADDONS:
        for init in (ROOT / addon).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT)
            name = "odoo.addons." + ".".join(rel.parts)
            packages.append(name)
            package_dir[name] = str(rel)
    return packages, package_dir


packages, package_dir = addon_packages()
package_data = {
    f"odoo.addons.{addon}": [
        str(p.relative_to(ROOT / addon))
        for p in (ROOT / addon).rglob("*")
        if p.is_file() and p.suffix != ".pyc"
        # migration scripts are .py files outside the addon's packages
        and (p.suffix != ".py" or "migrations" in p.relative_to(ROOT / addon).parts)
    ]
    for addon in ADDONS
}

setup(
    name="hotel-crm",
    version="18.0.1.0.0",
    description="Hotel guest-relationship addons for Odoo 18: guests, stays, figures, tags",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="LGPL-3",
    author="Hotel CRM Contributors",
    python_requires=">=3.10",
    packages=[*packages, "hotel_tools", "hotel_data", "bench"],
    package_dir={**package_dir, "hotel_data": "data/hotel_data"},
    package_data=package_data,
    include_package_data=True,
    install_requires=["xlsxwriter", "phonenumbers", "pypinyin"],
    extras_require={
        "test": ["pytest", "pytest-odoo>=2.1", "freezegun", "websocket-client", "ruff",
                 "pylint-odoo", "polib", "lxml", "psycopg2-binary"],
    },
    entry_points={"console_scripts": ["hotel-crm=hotel_tools.cli:main"]},
)
