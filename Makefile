# The commands of the hotel CRM (see README.md). They find an installed Odoo 18; they never
# install or build Odoo itself.
PYTHON ?= python3

.PHONY: test run bench load
test:
	$(PYTHON) -m hotel_tools test

run:
	$(PYTHON) -m hotel_tools run

# GROUP=loyalty (or "loyalty feedback", or loyalty,feedback) runs only those workload groups
bench:
	$(PYTHON) -m hotel_tools bench $(if $(GUESTS),--guests $(GUESTS)) $(if $(STAYS),--stays $(STAYS)) \
	    $(foreach g,$(GROUP),--group $(g))

load:
	$(PYTHON) -m hotel_tools load $(if $(USERS),--users $(USERS)) $(if $(WORKERS),--workers $(WORKERS)) $(if $(MINUTES),--minutes $(MINUTES)) $(if $(IMPORT_ROWS),--import-rows $(IMPORT_ROWS)) $(if $(GUESTS),--guests $(GUESTS))
