from . import hotel_booking_channel
from . import hotel_room_type
from . import hotel_rate_plan
from . import hotel_preference_category
from . import hotel_guest_preference
from . import hotel_stay
from . import hotel_guest_tag_rule
from . import res_partner
