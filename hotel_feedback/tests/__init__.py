from . import test_sla
from . import test_classification
from . import test_mail_gateway
from . import test_survey
from . import test_kpi
from . import test_review_import
from . import test_access
from . import test_ui_tour
