import threading
from datetime import datetime

from odoo.addons.hotel_crm.tests.common import HotelCrmCase


class HotelMarketingCase(HotelCrmCase):
    """Guests in every consent situation the marketing rules must respect."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, mail_create_nolog=True,
                                       mail_notrack=True))
        cls.Partner = cls.env["res.partner"]
        cls.ok = cls.consenting_guest("李娜", "lina@example.com")
        cls.no_consent = cls.make_guest("张伟", email="zhangwei@example.com")
        cls.withdrawn = cls.consenting_guest("刘洋", "liuyang@example.com")
        cls.withdrawn._hotel_set_consent("email", False, "guest_request")
        cls.blacklisted = cls.consenting_guest("陈静", "chenjing@example.com")
        cls.env["mail.blacklist"]._add("chenjing@example.com")
        cls.relay = cls.consenting_guest("杨帆", "yangfan-8821@m.ctrip.com")
        cls.no_email = cls.make_guest("赵磊")
        cls.no_email._hotel_set_consent("email", True, "front_desk")
        cls.guests = (
            cls.ok | cls.no_consent | cls.withdrawn | cls.blacklisted | cls.relay | cls.no_email
        )

    def setUp(self):
        super().setUp()
        # Odoo's runner flags its thread as testing, and mass mailing then does not commit
        # between batches; under pytest-odoo the same flag keeps the test's transaction.
        thread = threading.current_thread()
        flagged = getattr(thread, "testing", False)
        thread.testing = True
        self.addCleanup(setattr, thread, "testing", flagged)

    def only_test_properties(self, automation):
        """Limit an automation to this test's properties: the demo data of a database
        installed with demo stays and guests of its own must not reach the counts."""
        automation.company_ids = self.property_a | self.property_b
        return automation

    @staticmethod
    def only_guests(automation, guests):
        """Limit an automation's segment to ``guests``: demo guests are installed with
        dates relative to the install day (birthdays among them) and must not reach the
        counts of a test that runs on a fixed date."""
        automation.mailing_domain = str([("id", "in", guests.ids)])
        return automation

    @classmethod
    def consenting_guest(cls, name, email, **vals):
        guest = cls.make_guest(name, email=email, **vals)
        guest._hotel_set_consent("email", True, "front_desk", proof="signed registration card")
        return guest

    @classmethod
    def make_mailing(cls, domain, **vals):
        return cls.env["mailing.mailing"].create(
            {
                "subject": "Spring offer",
                "body_html": "<p>Spring offer</p>",
                "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr(domain),
                **vals,
            }
        )

    @classmethod
    def make_trace(cls, mailing, guest, sent, opened=None, clicked=None):
        return cls.env["mailing.trace"].create(
            {
                "model": "res.partner",
                "res_id": guest.id,
                "email": guest.email,
                "mass_mailing_id": mailing.id,
                "trace_status": "open" if (opened or clicked) else "sent",
                "sent_datetime": sent,
                "open_datetime": opened,
                "links_click_datetime": clicked,
            }
        )

    def mailed_partners(self, mailing):
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "=", mailing.id)])
        return self.Partner.browse(traces.mapped("res_id"))


def dt(text):
    return datetime.fromisoformat(text)
