"""A payload in a rejected row is shown as text in the import log, never run."""

import base64

from odoo.tests import HttpCase, new_test_user, tagged

from .common import PMS_HEADER, HotelImportCase

PAYLOAD = '<img src=x onerror="window.__hotel_xss=1"><script>window.__hotel_xss=2</script>'


@tagged("post_install", "-at_install")
class TestRejectsAreShownAsText(HttpCase):
    def test_a_payload_in_a_rejected_row_does_not_run_in_the_log(self):
        company = self.env.company
        new_test_user(
            self.env, login="xss_import", password="xss_import",
            groups="base.group_user,hotel_crm.group_hotel_guest_relations",
            company_id=company.id, company_ids=[(6, 0, company.ids)],
        )
        row = dict.fromkeys(PMS_HEADER, "")
        row.update({
            "Confirmation No": "XSS1", "Property": company.name, "Channel": "website",
            "Guest Name": f"Evil {PAYLOAD}", "Email": "not-an-email", "Mobile": "13800138000",
            "Arrival": "2026-03-01", "Departure": "2026-03-03", "Room Type": "std_king",
            "Status": "Checked Out", "Room Revenue": "100", "Adults": "1", "Children": "0",
        })
        data = HotelImportCase.csv_bytes(PMS_HEADER, [[row[h] for h in PMS_HEADER]])
        wizard = self.env["hotel.import.wizard"].create({
            "file": base64.b64encode(data), "filename": "xss.csv",
            "preset_id": self.env.ref("hotel_import.preset_pms").id, "company_id": company.id,
        })
        wizard.action_dry_run()
        log = wizard.log_id
        self.assertEqual(log.rows_rejected, 1)
        self.assertIn("onerror", log.line_ids.values)
        code = """
            const started = Date.now();
            (function check() {
                const field = document.querySelector(".o_field_widget[name='line_ids'] table");
                if (!field) {
                    if (Date.now() - started < 20000) { return setTimeout(check, 200); }
                    console.error("the import log did not open");
                    return;
                }
                if (window.__hotel_xss) {
                    console.error("a payload from the file ran: " + window.__hotel_xss);
                } else if (document.querySelector("img[src='x']")) {
                    console.error("an <img> from the file became an element");
                } else if (!field.textContent.includes("onerror")) {
                    console.error("the rejected row is not shown as written");
                } else {
                    console.log("test successful");
                }
            })();
        """
        self.browser_js(f"/odoo/action-hotel_import.hotel_import_log_action/{log.id}", code,
                        login="xss_import")
