# The commands of the hotel CRM (see README.md). They find an installed Odoo 18; they never
# install or build Odoo itself.
PYTHON ?= python3

.PHONY: test run bench
test:
	$(PYTHON) -m hotel_tools test

run:
	$(PYTHON) -m hotel_tools run

bench:
	$(PYTHON) -m hotel_tools bench $(if $(GUESTS),--guests $(GUESTS)) $(if $(STAYS),--stays $(STAYS))
