from . import hotel_import_wizard
