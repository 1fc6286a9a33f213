from . import test_sms_consent
