from . import mailing_sms_test
from . import sms_composer
