from . import hotel_segment_preview
from . import hotel_marketing_kpi_report
