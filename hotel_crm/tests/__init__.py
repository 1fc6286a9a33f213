from . import test_stay
from . import test_figures
from . import test_tags
from . import test_access
from . import test_ui_tour
from . import test_consent
from . import test_privacy
from . import test_migration
