from . import hotel_marketing_automation
from . import hotel_marketing_kpi_report
