"""Tooling of the hotel CRM addons: the test, run and bench commands.

Nothing here installs or builds Odoo: the commands look for an Odoo 18 that is already
importable and say so in one line when there is none.
"""
