"""pytest configuration shared by the test layers.

Odoo layer (pytest-odoo): the static-file map of Odoo's HTTP server (``root.statics``)
reads every addon's manifest with ``ast.literal_eval`` the first time a browser asks for a
file. Python 3.11 can fail that parse when two server threads compile at the same moment
(``SystemError: AST constructor recursion depth mismatch``) and a tour then never starts;
building the map once before the tests, in one thread, avoids the race.
"""


def pytest_collection_finish(session):
    if not session.config.pluginmanager.has_plugin("odoo"):
        return  # static layer: no Odoo
    try:
        from odoo import http
    except ImportError:
        return
    http.root.statics  # noqa: B018 (a cached property: built here, once)
