from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _process_mail_values_state(self, mail_values_dict):
        """The consent gate (M5) at the step every e-mail of a mass mailing passes, whatever
        its recipients model and however it is sent: a mail to an address the gate blocks
        is cancelled as Odoo cancels an opted-out one (``mail_optout``), with the reason,
        so the mailing's statistics show it. Neither the composer's own exclusion switch
        (``use_exclusion_list``) nor any context key turns the gate off."""
        mail_values_dict = super()._process_mail_values_state(mail_values_dict)
        if self.composition_mode != "mass_mail" or not self.mass_mailing_id:
            return mail_values_dict
        recipients = self._get_recipients_data(mail_values_dict)
        blocked = self.mass_mailing_id._hotel_blocked_recipients({
            res_id: recipients[res_id]["mail_to_normalized"] for res_id in mail_values_dict
        })
        for res_id, reason in blocked.items():
            values = mail_values_dict[res_id]
            if values.get("state") == "cancel":
                continue  # Odoo excluded it already (blacklist, opt-out, duplicate)
            values.update({
                "state": "cancel",
                "failure_type": "mail_optout",
                "failure_reason": reason,
                "is_notification": False,
            })
        return mail_values_dict

    def _prepare_mail_values_mailing_traces(self, mail_values_all):
        """The trace of a mail the gate cancelled carries its reason."""
        traces = super()._prepare_mail_values_mailing_traces(mail_values_all)
        for res_id, trace in traces.items():
            reason = mail_values_all[res_id].get("failure_reason")
            if trace and reason and mail_values_all[res_id].get("state") == "cancel":
                trace["failure_reason"] = reason
        return traces
