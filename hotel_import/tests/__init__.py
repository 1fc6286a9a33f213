from . import test_cleaning, test_import, test_bad_input, test_duplicates, test_merge, test_ui_tour
from . import test_rejects_xss, test_merge_paths, test_api_security
from . import test_background
from . import test_background_committed
from . import test_duplicate_job
