import xmlrpc.client

from odoo.tests import HttpCase, TransactionCase, new_test_user


class FeedbackSetup:
    """Roles, departments, categories and one guest; a user's password is ``<login>-secret``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True,
                                       mail_create_nolog=True))
        cls.company = cls.env.company
        ref = cls.env.ref

        def user(login, groups, companies=None):
            companies = companies or cls.company
            return new_test_user(
                cls.env, login=login, groups=",".join(["base.group_user", *groups]),
                company_id=companies[0].id, company_ids=[(6, 0, companies.ids)],
                email=f"{login}@example.com", password=f"{login}-secret",
            )

        cls.make_user = staticmethod(user)
        cls.front_desk = user("fb_fd", ["hotel_crm.group_hotel_front_desk"])
        cls.guest_relations = user("fb_gr", ["hotel_crm.group_hotel_guest_relations"])
        cls.marketing = user("fb_mkt", ["hotel_crm.group_hotel_marketing"])
        cls.manager = user("fb_mgr", ["hotel_crm.group_hotel_manager"])
        cls.housekeeping_manager = user(
            "fb_hk", ["hotel_feedback.group_hotel_feedback_department"]
        )
        cls.housekeeping = ref("hotel_feedback.team_housekeeping")
        cls.housekeeping.manager_id = cls.housekeeping_manager
        cls.engineering = ref("hotel_feedback.team_engineering")
        cls.engineering.manager_id = cls.manager
        cls.cleanliness = ref("hotel_feedback.category_cleanliness")
        cls.facilities = ref("hotel_feedback.category_facilities")
        cls.food = ref("hotel_feedback.category_food")
        cls.check_in = ref("hotel_feedback.category_check_in")
        cls.resolved = ref("hotel_feedback.stage_resolved")
        cls.in_progress = ref("hotel_feedback.stage_in_progress")
        cls.guest = cls.env["res.partner"].create(
            {"name": "吴敏", "email": "wu.min@example.com", "is_guest": True}
        )

    @classmethod
    def ticket(cls, user=None, **vals):
        Feedback = cls.env["hotel.feedback"].with_user(user or cls.guest_relations)
        return Feedback.create({
            "name": "Air conditioning is broken", "partner_id": cls.guest.id,
            "channel": "phone", **vals,
        })


class FeedbackCase(FeedbackSetup, TransactionCase):
    pass


class FeedbackApiCase(FeedbackSetup, HttpCase):
    """The external API as an attacker meets it: XML-RPC as a role, any context it likes."""

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, f"{user.login}-secret", model, method, list(args),
            kwargs,
        )

    def assertFault(self, user, model, method, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(user, model, method, *args, **kwargs)
        return caught.exception
