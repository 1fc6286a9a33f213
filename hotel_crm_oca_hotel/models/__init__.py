from . import hotel_stay
from . import hotel_folio
from . import sale_order
