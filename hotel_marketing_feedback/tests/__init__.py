from . import test_marketing_feedback
