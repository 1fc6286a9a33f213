from . import test_marketing_loyalty
from . import test_ui_tour
from . import test_invoice_conversion
