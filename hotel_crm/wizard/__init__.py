from . import hotel_privacy_export
from . import hotel_privacy_anonymise
