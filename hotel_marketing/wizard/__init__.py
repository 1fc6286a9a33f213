from . import hotel_segment_preview
from . import hotel_marketing_kpi_report
from . import mail_compose_message
from . import mailing_mailing_test
