from . import test_tiers
from . import test_earn
from . import test_ledger
from . import test_concurrency
from . import test_report
from . import test_access
from . import test_ui_tour
from . import test_api
