from . import test_folio_stays
