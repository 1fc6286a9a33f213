from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestImportTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.hotel_import_aliases = "TOUR"
        new_test_user(
            cls.env, login="tour_guest_relations", password="tour_guest_relations",
            groups="base.group_user,hotel_crm.group_hotel_guest_relations",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )
        cls.env["hotel.duplicate.candidate"].search([]).unlink()
        cls.nana = cls.env["res.partner"].create(
            {"name": "欧阳娜娜", "is_guest": True, "phone": "+8613511112222",
             "birthday": "1990-02-03"})
        cls.env["res.partner"].create(
            {"name": "Nana Ouyang", "is_guest": True, "phone": "135 1111 2222",
             "birthday": "1990-02-03", "email": "nana.ouyang@example.com"})
        cls.env["hotel.duplicate.candidate"]._detect()
        cls.env["ir.config_parameter"].set_param("hotel_import.auto_merge_threshold", 1.1)

    def test_guest_relations_imports_a_ctrip_export_and_merges_a_duplicate(self):
        self.start_tour("/odoo/action-hotel_import.hotel_import_wizard_action",
                        "hotel_import_tour", login="tour_guest_relations")
        stay = self.env["hotel.stay"].search([("booking_ref", "=", "CTTOUR0001")])
        self.assertTrue(stay)
        journal = self.env["hotel.merge.journal"].search([("reason", "like", "Duplicate review")])
        self.assertEqual(len(journal), 1)
        self.assertEqual(journal.survivor_id, stay.partner_id)
        self.assertEqual(journal.survivor_id, self.nana)
        self.assertEqual(journal.survivor_id.email, "nana.ouyang@example.com")
