from . import hotel_loyalty_redeem_wizard
from . import hotel_loyalty_adjust_wizard
from . import hotel_loyalty_enrol_wizard
from . import hotel_loyalty_tier_preview
