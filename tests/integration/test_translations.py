"""zh_CN is a first-class language: every term Odoo exports for the addons is translated."""

import io
from datetime import date
from pathlib import Path

import polib

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

REPO = Path(__file__).resolve().parents[2]
ADDONS = sorted(p.parent.name for p in REPO.glob("*/__manifest__.py"))


@tagged("post_install", "-at_install")
class TestChineseTranslations(TransactionCase):
    def test_every_exported_term_has_a_chinese_translation(self):
        for addon in ADDONS:
            if not self.env["ir.module.module"].search([("name", "=", addon),
                                                        ("state", "=", "installed")]):
                continue
            buf = io.BytesIO()
            trans_export(None, [addon], buf, "po", self.env.cr)
            exported = {e.msgid for e in polib.pofile(buf.getvalue().decode()) if e.msgid}
            po = polib.pofile(str(REPO / addon / "i18n" / "zh_CN.po"))
            translated = {e.msgid for e in po if e.msgstr and not e.fuzzy}
            missing = sorted(exported - translated)
            self.assertFalse(missing, f"{addon}: terms without a zh_CN translation: {missing[:20]}")

    def test_front_desk_reads_chinese_labels_and_messages(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["hotel_crm"], ["zh_CN"], overwrite=True)
        env_zh = self.env(context=dict(self.env.context, lang="zh_CN"))
        walk_in = env_zh.ref("hotel_crm.channel_walk_in")
        self.assertNotEqual(walk_in.name, "Walk-in")
        states = dict(env_zh["hotel.stay"]._fields["state"]._description_selection(env_zh))
        self.assertNotEqual(states["checked_out"], "Checked Out")
        guest = env_zh["res.partner"].create({"name": "刘洋", "is_guest": True})
        with self.assertRaises(ValidationError) as caught:
            env_zh["hotel.stay"].create({
                "partner_id": guest.id, "channel_id": walk_in.id, "booking_ref": "ZH-1",
                "check_in": date(2026, 5, 2), "check_out": date(2026, 5, 1),
            })
        message = str(caught.exception)
        self.assertIn("ZH-1", message)
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in message), message)
