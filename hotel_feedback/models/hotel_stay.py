from odoo import api, fields, models

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, trusted

from .hotel_feedback import check_create_values

SURVEY = "hotel_feedback.survey"


class HotelStay(models.Model):
    _inherit = "hotel.stay"

    feedback_ids = fields.One2many("hotel.feedback", "stay_id")
    feedback_count = fields.Integer(compute="_compute_feedback_count")
    survey_user_input_id = fields.Many2one(
        "survey.user_input", string="Post-Stay Survey", readonly=True, copy=False, index=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the survey job sends a stay's survey once: the link is the job's, not a user's
        check_create_values(self, {"survey_user_input_id"}, vals_list, SURVEY)
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, {"survey_user_input_id"}, vals, SURVEY)
        return super().write(vals)

    def _compute_feedback_count(self):
        counts = dict(self.env["hotel.feedback"]._read_group(
            [("stay_id", "in", self.ids)], ["stay_id"], ["__count"]))
        for stay in self:
            stay.feedback_count = counts.get(stay, 0)

    def action_new_feedback(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "hotel.feedback",
            "view_mode": "form",
            "context": {"default_stay_id": self.id, "default_partner_id": self.partner_id.id,
                        "default_company_id": self.company_id.id},
        }

    def action_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_feedback.hotel_feedback_action"
        )
        action["domain"] = [("stay_id", "=", self.id)]
        action["context"] = {"default_stay_id": self.id}
        return action

    def _cron_send_post_stay_surveys(self):
        """Send the post-stay survey to guests who checked out `delay` days ago, once per
        stay, only by e-mail and only to guests who may be mailed: e-mail consent granted,
        not blacklisted, not an OTA relay address (``res.partner._hotel_mailable_domain``)."""
        today = fields.Date.context_today(self)
        Config = self.env["hotel.feedback.config"]
        sent = self.browse()
        for company in self.env["res.company"].search([]):
            config = Config._for_company(company)
            if not config.survey_id:
                continue
            stays = self.search([
                ("company_id", "=", company.id), ("state", "=", "checked_out"),
                ("check_out", "<=", fields.Date.subtract(today, days=config.survey_delay_days)),
                ("check_out", ">=", fields.Date.subtract(today, days=config.survey_delay_days
                                                         + 30)),
                ("survey_user_input_id", "=", False),
                ("partner_id", "any", self.env["res.partner"]._hotel_mailable_domain("email")),
            ])
            template = self.env.ref("hotel_feedback.mail_template_post_stay_survey")
            for stay in stays:
                # sudo: the cron creates the invitation the way the survey app does
                answer = config.survey_id.sudo()._create_answer(
                    partner=stay.partner_id, check_attempts=False, hotel_stay_id=stay.id
                )
                with trusted(SURVEY):
                    stay.survey_user_input_id = answer
                template.send_mail(answer.id, email_layout_xmlid="mail.mail_notification_light")
                sent |= stay
        return sent
