"""S1 through the external API: the duplicate queue, the merge journal and the import
logs follow the guests' visibility, and what the addon derives cannot be written."""

import base64
import xmlrpc.client
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

GUEST_B = ("API Only Hangzhou", "only.hz@example.com", "+8613900000077")


@tagged("post_install", "-at_install")
class TestImportApiSecurity(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cny = env.ref("base.CNY")
        cny.active = True
        cls.beijing = env["res.company"].create({"name": "Imp API Beijing", "currency_id": cny.id})
        cls.hangzhou = env["res.company"].create({"name": "Imp API Hangzhou",
                                                  "currency_id": cny.id})

        def user(login, group, companies):
            return new_test_user(
                env, login=login, password=f"{login}_secret",
                groups=f"base.group_user,{group}", company_id=companies[0].id,
                company_ids=[(6, 0, companies.ids)],
            )

        cls.fd = user("imp_fd_a", "hotel_crm.group_hotel_front_desk", cls.beijing)
        cls.gr = user("imp_gr_a", "hotel_crm.group_hotel_guest_relations", cls.beijing)
        guest = env["res.partner"].create
        cls.guest_a = guest({"name": "API Beijing One", "is_guest": True,
                             "email": "bj.one@example.com"})
        cls.guest_a2 = guest({"name": "API Beijing Two", "is_guest": True,
                              "email": "bj.two@example.com"})
        name, email, phone = GUEST_B
        cls.guest_b = guest({"name": name, "is_guest": True, "email": email, "phone": phone})
        cls.guest_b2 = guest({"name": name + " 2", "is_guest": True, "email": "b2@example.com"})
        for n, (g, company) in enumerate(((cls.guest_a, cls.beijing), (cls.guest_a2, cls.beijing),
                                          (cls.guest_b, cls.hangzhou),
                                          (cls.guest_b2, cls.hangzhou))):
            env["hotel.stay"].create({
                "partner_id": g.id, "company_id": company.id,
                "channel_id": env.ref("hotel_crm.channel_walk_in").id,
                "booking_ref": f"IMP-API-{n}", "check_in": date(2026, 5, 1),
                "check_out": date(2026, 5, 3), "booked_on": date(2026, 4, 1),
                "state": "checked_out", "amount_room": 1000,
            })
        Candidate = env["hotel.duplicate.candidate"]
        cls.cross = Candidate.create({"partner_a_id": cls.guest_a.id,
                                      "partner_b_id": cls.guest_b.id, "score": 0.7})
        cls.own = Candidate.create({"partner_a_id": cls.guest_a.id,
                                    "partner_b_id": cls.guest_a2.id, "score": 0.7})
        # a merge of two Hangzhou guests, made with Beijing selected in the company switcher
        cls.journal = env["hotel.merge.journal"].with_company(cls.beijing)._merge(
            cls.guest_b2, cls.guest_b, "same card")

    def call(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, f"{user.login}_secret", model, method, list(args),
            kwargs)

    def assertFault(self, *call, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.call(*call, **kwargs)
        return caught.exception

    def assertNoGuestB(self, payload):
        text = repr(payload)
        for value in GUEST_B:
            self.assertNotIn(value, text)

    def test_a_front_desk_script_cannot_read_guests_of_another_property_in_the_queue(self):
        fields = ["display_name", "partner_a_id", "partner_b_id", "partner_b_email",
                  "partner_b_phone", "partner_b_stays"]
        forged = {"allowed_company_ids": [self.beijing.id], "active_test": False}
        rows = self.call(self.fd, "hotel.duplicate.candidate", "search_read", [],
                         fields=fields, context=forged)
        self.assertEqual([r["id"] for r in rows if r["id"] in (self.cross | self.own).ids],
                         self.own.ids)
        self.assertNoGuestB(rows)
        self.assertNoGuestB(self.assertFault(self.fd, "hotel.duplicate.candidate", "read",
                                             self.cross.ids, fields=fields).faultString)
        groups = self.call(self.fd, "hotel.duplicate.candidate", "read_group",
                           [("id", "in", (self.cross | self.own).ids)], ["score:max"],
                           ["partner_b_id"], lazy=False)
        self.assertNoGuestB(groups)
        self.assertEqual(sum(g["__count"] for g in groups), 1)
        self.assertNoGuestB(self.call(self.fd, "hotel.duplicate.candidate", "name_search",
                                      "API", limit=100))
        exported = self.call(self.fd, "hotel.duplicate.candidate", "search_read",
                             [("id", "=", self.cross.id)], fields=["id"])
        self.assertFalse(exported)
        self.assertNoGuestB(self.assertFault(
            self.fd, "hotel.duplicate.candidate", "export_data", self.cross.ids,
            ["partner_b_id/name", "partner_b_email", "partner_b_phone"]).faultString)
        # the other property in the context is refused, not added
        self.assertFault(self.fd, "hotel.duplicate.candidate", "search_read", [],
                         fields=fields,
                         context={"allowed_company_ids": [self.beijing.id, self.hangzhou.id]})

    def test_a_guest_relations_script_cannot_merge_or_unmerge_guests_it_cannot_see(self):
        self.assertFault(self.gr, "hotel.duplicate.candidate", "action_merge", self.cross.ids)
        self.assertTrue(self.guest_a.active and self.guest_b.active)
        self.assertFalse(self.call(self.gr, "hotel.merge.journal", "search_read", [],
                                   fields=["merged_name", "survivor_id"],
                                   context={"active_test": False}))
        self.assertFault(self.gr, "hotel.merge.journal", "action_unmerge", self.journal.ids)
        self.assertEqual(self.journal.state, "merged")
        self.assertFault(self.gr, "hotel.duplicate.candidate", "action_reject", self.cross.ids)
        self.assertEqual(self.cross.state, "review")

    def test_a_front_desk_script_cannot_queue_a_pair_for_the_automatic_merge(self):
        vals = {"partner_a_id": self.guest_a.id, "partner_b_id": self.guest_a2.id + 0}
        self.own.unlink()
        for forged in ({"score": 1.0}, {"origin": "detection"}, {"state": "merged"},
                       {"journal_id": self.journal.id}):
            self.assertFault(self.fd, "hotel.duplicate.candidate", "create", {**vals, **forged})
        self.assertFault(self.fd, "hotel.duplicate.candidate", "create", vals,
                         context={"default_score": 1.0, "default_origin": "detection"})
        # nor flag a guest it cannot see
        self.assertFault(self.fd, "hotel.duplicate.candidate", "create",
                         {"partner_a_id": self.guest_a.id, "partner_b_id": self.guest_b2.id})
        cand_id = self.call(self.fd, "hotel.duplicate.candidate", "create", vals)
        cand = self.env["hotel.duplicate.candidate"].browse(cand_id)
        self.assertEqual((cand.origin, cand.score, cand.state), ("front_desk", 0.0, "review"))
        # guest relations decide, they do not rewrite the queue
        for forged in ({"state": "rejected"}, {"score": 1.0}, {"partner_b_id": self.guest_b.id},
                       {"journal_id": self.journal.id}):
            self.assertFault(self.gr, "hotel.duplicate.candidate", "write", [cand_id], forged)
        # the nightly job is not an API method
        self.assertFault(self.fd, "hotel.duplicate.candidate", "_cron_detect_and_merge")
        self.assertFault(self.gr, "hotel.duplicate.candidate", "_auto_merge")

    def test_import_logs_and_rejected_rows_are_written_by_the_import_only(self):
        header = "Confirmation No,Property,Channel,Guest Name,Arrival,Departure\r\n"
        data = (header + "X1,Imp API Beijing,website,Bad Date Guest,2026-05-01,nope\r\n").encode()
        preset = self.env.ref("hotel_import.preset_pms")
        wizard_id = self.call(self.gr, "hotel.import.wizard", "create", {
            "file": base64.b64encode(data).decode(), "filename": "api.csv",
            "preset_id": preset.id, "company_id": self.beijing.id,
        })
        self.call(self.gr, "hotel.import.wizard", "action_dry_run", [wizard_id])
        log = self.env["hotel.import.wizard"].browse(wizard_id).log_id
        self.assertEqual(log.rows_rejected, 1)
        self.assertFault(self.gr, "hotel.import.log", "write", log.ids, {"rows_rejected": 0})
        self.assertFault(self.gr, "hotel.import.log", "write", log.ids, {"state": "done"})
        self.assertFault(self.gr, "hotel.import.log", "create", {"name": "fake.csv"})
        self.assertFault(self.gr, "hotel.import.log.line", "write", log.line_ids.ids,
                         {"values": "{}"})
        self.assertFault(self.gr, "hotel.import.log.line", "create",
                         {"log_id": log.id, "reason": "x", "values": "{}"})
        self.assertFault(self.gr, "hotel.import.wizard", "write", [wizard_id],
                         {"log_id": log.id})
        self.call(self.gr, "hotel.import.wizard", "write", [wizard_id], {"rows_rejected": 5})
        # a Hangzhou import's rejected rows are not reachable through a wizard of one's own
        other = self.env["hotel.import.log"].sudo().search([("id", "!=", log.id)], limit=1)
        if other:
            self.assertFault(self.gr, "hotel.import.wizard", "create", {
                "file": base64.b64encode(data).decode(), "filename": "x.csv",
                "preset_id": preset.id, "company_id": self.beijing.id,
                "log_id": other.id,
            })
        self.assertEqual(log.rows_rejected, 1)
        self.assertEqual(log.state, "dry_run")

    def test_a_front_desk_script_cannot_mark_a_guest_as_merged_into_another(self):
        # it would send the guest's future import rows to the other guest
        self.assertFault(self.fd, "res.partner", "write", self.guest_a.ids,
                         {"hotel_merged_into_id": self.guest_a2.id})
        self.assertFault(self.fd, "res.partner", "create",
                         {"name": "Ghost", "is_guest": True,
                          "hotel_merged_into_id": self.guest_a2.id})
        self.assertFalse(self.guest_a.hotel_merged_into_id)

    def test_front_desk_and_guest_relations_scripts_cannot_delete_a_queue_decision(self):
        """A pair leaves the queue by a decision (merge, not the same guest), not by a delete:
        deleting is for managers (ACL)."""
        for user in (self.fd, self.gr):
            self.assertFault(user, "hotel.duplicate.candidate", "unlink", [self.own.id])
        self.assertTrue(self.own.exists())
