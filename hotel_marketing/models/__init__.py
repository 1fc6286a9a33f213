from . import res_partner
from . import mailing_mailing
from . import utm_campaign
from . import hotel_marketing_automation
from . import hotel_marketing_send
from . import hotel_marketing_attribution
from . import hotel_recommendation
from . import hotel_marketing_performance
