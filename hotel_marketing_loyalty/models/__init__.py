from . import account_move
from . import hotel_marketing_attribution
from . import hotel_marketing_automation
from . import hotel_marketing_kpi_report
from . import mailing_mailing
