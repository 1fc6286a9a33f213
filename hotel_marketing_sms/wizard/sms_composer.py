from odoo import models


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    def _prepare_mass_sms_values(self, records):
        """The consent gate (M5) for SMS mailings, at the step every text of a mailing passes
        whatever its recipients model (contacts, mailing lists, any model with a number) and
        however it is sent: a text to a number the gate blocks is cancelled as Odoo cancels
        an opted-out one (``sms_optout``), its trace with the reason. The composer's own
        blacklist switch (``mass_use_blacklist``) does not turn the gate off."""
        result = super()._prepare_mass_sms_values(records)
        if self.composition_mode != "mass" or not self.mailing_id:
            return result
        outgoing = {rid: [values["number"]] for rid, values in result.items()
                    if values["state"] == "outgoing"}
        if not outgoing:
            return result
        blocked = self.mailing_id._hotel_blocked_recipients(outgoing)
        for rid, reason in blocked.items():
            values = result[rid]
            values.update({"state": "canceled", "failure_type": "sms_optout"})
            for command in values.get("mailing_trace_ids") or []:
                command[2].update({
                    "trace_status": "cancel",
                    "failure_type": "sms_optout",
                    "failure_reason": reason,
                })
        return result
