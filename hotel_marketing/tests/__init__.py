from . import test_consent
from . import test_segments
from . import test_automation
from . import test_rfm
from . import test_attribution
from . import test_kpi
from . import test_access
from . import test_recommendation
