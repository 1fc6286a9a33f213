import random

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields

from .hotel_marketing_attribution import ATTRIBUTED_STATES

# Drawn or linked by the addon itself: a user who could write them would choose who is left
# out of a campaign's measure or move a mailing under another automation's figures.
PROTECTED_MAILING_FIELDS = ("hotel_holdout_partner_ids", "hotel_automation_id")


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    hotel_holdout_pct = fields.Float(
        string="Holdout Share (%)",
        default=0.0,
        copy=True,
        help="Share of the segment drawn at random when the mailing is first sent and not "
        "mailed, so the campaign's conversion can be compared with guests who got nothing.",
    )
    hotel_holdout_partner_ids = fields.Many2many(
        "res.partner",
        "hotel_marketing_holdout_rel",
        "mailing_id",
        "partner_id",
        string="Holdout Group",
        readonly=True,
        copy=False,
    )
    hotel_holdout_count = fields.Integer(
        string="Held Out", compute="_compute_hotel_performance"
    )
    hotel_window_days = fields.Integer(
        string="Attribution Window (days)",
        default=30,
        help="A stay booked within this many days after the guest opened or clicked the "
        "mailing is attributed to it.",
    )
    hotel_automation_id = fields.Many2one(
        "hotel.marketing.automation", string="Automation", readonly=True, index=True,
        copy=False,
    )
    hotel_delivered_count = fields.Integer(
        string="Delivered to Guests", compute="_compute_hotel_performance"
    )
    hotel_converted_count = fields.Integer(
        string="Converted Recipients", compute="_compute_hotel_performance"
    )
    hotel_conversion_rate = fields.Float(
        string="Conversion Rate (%)", compute="_compute_hotel_performance", digits=(16, 2)
    )
    hotel_holdout_converted_count = fields.Integer(
        string="Converted in Holdout", compute="_compute_hotel_performance"
    )
    hotel_holdout_conversion_rate = fields.Float(
        string="Holdout Conversion Rate (%)",
        compute="_compute_hotel_performance",
        digits=(16, 2),
    )
    hotel_incremental_rate = fields.Float(
        string="Incremental Conversion (points)",
        compute="_compute_hotel_performance",
        digits=(16, 2),
        help="Conversion rate of the mailed guests minus that of the holdout group.",
    )
    hotel_attributed_count = fields.Integer(
        string="Conversions", compute="_compute_hotel_performance",
        help="Stays (and posted invoices) attributed to this mailing.",
    )
    hotel_attributed_revenue = fields.Monetary(
        string="Attributed Revenue",
        compute="_compute_hotel_performance",
        currency_field="hotel_currency_id",
    )
    hotel_currency_id = fields.Many2one(
        "res.currency",
        string="Revenue Currency",
        compute="_compute_hotel_currency_id",
        store=True,
        help="The campaign's currency; without a campaign, the currency of the property the "
        "mailing was created in. Attributed revenue is reported in it.",
    )

    _sql_constraints = [
        (
            "hotel_holdout_pct_check",
            "CHECK(hotel_holdout_pct >= 0 AND hotel_holdout_pct <= 50)",
            "The holdout share must be between 0 and 50 %.",
        ),
        (
            "hotel_window_days_check",
            "CHECK(hotel_window_days > 0)",
            "The attribution window must be at least one day.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, PROTECTED_MAILING_FIELDS, vals,
                                   "hotel_marketing.mailing_figures")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, PROTECTED_MAILING_FIELDS, vals,
                               "hotel_marketing.mailing_figures")
        return super().write(vals)

    @api.depends("campaign_id.hotel_currency_id")
    def _compute_hotel_currency_id(self):
        for mailing in self:
            mailing.hotel_currency_id = (
                mailing.campaign_id.hotel_currency_id
                or mailing.hotel_currency_id
                or self.env.company.currency_id
            )

    def _compute_hotel_performance(self):
        figures = self._hotel_performance_figures()
        for mailing in self:
            fig = figures.get(mailing.id, {})
            delivered = fig.get("delivered", 0)
            held = fig.get("held_out", 0)
            mailing.hotel_delivered_count = delivered
            mailing.hotel_holdout_count = held
            mailing.hotel_converted_count = fig.get("converted", 0)
            mailing.hotel_holdout_converted_count = fig.get("held_converted", 0)
            rate = 100.0 * fig.get("converted", 0) / delivered if delivered else 0.0
            held_rate = 100.0 * fig.get("held_converted", 0) / held if held else 0.0
            mailing.hotel_conversion_rate = rate
            mailing.hotel_holdout_conversion_rate = held_rate
            mailing.hotel_incremental_rate = rate - held_rate if held else 0.0
            mailing.hotel_attributed_count = fig.get("attributed", 0)
            mailing.hotel_attributed_revenue = fig.get("revenue", 0.0)

    def _hotel_performance_figures(self):
        """Conversion of the mailed recipients against the holdout group, per mailing.

        A recipient converts when they book a stay (not cancelled) within the mailing's
        window after it was sent (or convert otherwise, see ``_hotel_converted_sql``); the
        holdout group is measured over the same window, so the difference is the mailing's
        incremental effect.
        """
        ids = [mid for mid in self.ids if isinstance(mid, int)]
        if not ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH m AS (
                    SELECT id, sent_date::date AS sent_on, hotel_window_days AS days
                      FROM mailing_mailing WHERE id = ANY(%(ids)s)
                ), mailed AS (
                    SELECT t.mass_mailing_id AS mailing_id, t.res_id AS partner_id,
                           MIN(COALESCE(t.sent_datetime::date, m.sent_on)) AS sent_on,
                           MIN(m.days) AS days
                      FROM mailing_trace t JOIN m ON m.id = t.mass_mailing_id
                     WHERE t.model = 'res.partner'
                       AND t.trace_status IN ('sent', 'open', 'reply')
                     GROUP BY t.mass_mailing_id, t.res_id
                ), held AS (
                    SELECT h.mailing_id, h.partner_id, m.sent_on, m.days
                      FROM hotel_marketing_holdout_rel h JOIN m ON m.id = h.mailing_id
                ), conv AS (
                    SELECT 'mailed' AS side, x.mailing_id, x.partner_id,
                           %(converted)s AS converted
                      FROM mailed x
                    UNION ALL
                    SELECT 'held', x.mailing_id, x.partner_id,
                           x.sent_on IS NOT NULL AND %(converted)s AS converted
                      FROM held x
                )
                SELECT mailing_id,
                       COUNT(*) FILTER (WHERE side = 'mailed'),
                       COUNT(*) FILTER (WHERE side = 'mailed' AND converted),
                       COUNT(*) FILTER (WHERE side = 'held'),
                       COUNT(*) FILTER (WHERE side = 'held' AND converted)
                  FROM conv GROUP BY mailing_id
                """,
                ids=ids,
                converted=self._hotel_converted_sql(
                    SQL("x.partner_id"), SQL("x.sent_on"), SQL("x.days")
                ),
            )
        )
        figures = {
            row[0]: {
                "delivered": row[1],
                "converted": row[2],
                "held_out": row[3],
                "held_converted": row[4],
            }
            for row in self.env.cr.fetchall()
        }
        # sudo: totals of the mailing's conversions only; rows stay under their property rule
        for mailing, count, revenue in self.env["hotel.marketing.attribution"].sudo()._read_group(
            [("mailing_id", "in", ids)], ["mailing_id"], ["__count", "revenue:sum"]
        ):
            figures.setdefault(mailing.id, {}).update(attributed=count, revenue=revenue)
        return figures

    @api.model
    def _hotel_converted_sql(self, partner, since, days):
        """SQL condition: the guest ``partner`` converted within ``days`` days from the day
        ``since`` (a stay booked, not cancelled). Bridges add other conversions with OR."""
        return SQL(
            """EXISTS (SELECT 1 FROM hotel_stay s
                        WHERE s.partner_id = %(partner)s AND s.state IN %(states)s
                          AND s.booked_on >= %(since)s AND s.booked_on <= %(since)s + %(days)s)""",
            partner=partner,
            since=since,
            days=days,
            states=ATTRIBUTED_STATES,
        )

    # ------------------------------------------------------------------
    # Consent (M5): whatever the segment says, only mailable guests receive a mailing.
    # ------------------------------------------------------------------
    def _hotel_consent_channel(self):
        self.ensure_one()
        return "sms" if self.mailing_type == "sms" else "email"

    def _hotel_guards_consent(self):
        self.ensure_one()
        return self.mailing_model_real == "res.partner"

    def _hotel_segment_domain(self):
        """The segment as the marketer wrote it, before consent and holdout."""
        return super()._get_recipients_domain()

    def _get_recipients_domain(self):
        domain = super()._get_recipients_domain()
        if not self._hotel_guards_consent():
            return domain
        Partner = self.env["res.partner"]
        domain = expression.AND(
            [domain, Partner._hotel_mailable_domain(self._hotel_consent_channel())]
        )
        if isinstance(self.id, int):
            domain = expression.AND(
                [domain, [("hotel_holdout_mailing_ids", "not in", [self.id])]]
            )
        return domain

    def _get_recipients(self):
        # Guests are mailed in id order: sorting a chain's guest base by name (res.partner's
        # default order) only costs time. A/B tests keep Odoo's own sampling.
        if self._hotel_guards_consent() and not self.ab_testing_enabled:
            return self.env["res.partner"].search(self._get_recipients_domain(), order="id").ids
        return super()._get_recipients()

    def _hotel_draw_holdout(self):
        """Draw the holdout group once, before the first recipients are mailed."""
        self.ensure_one()
        if (
            not self._hotel_guards_consent()
            or not self.hotel_holdout_pct
            or self.hotel_holdout_partner_ids
            or self.sent_date
        ):
            return self.env["res.partner"]
        eligible = self.env["res.partner"].search(self._get_recipients_domain(), order="id").ids
        size = round(len(eligible) * self.hotel_holdout_pct / 100.0)
        if not size:
            return self.env["res.partner"]
        # Seeded by the mailing, so a retried send draws the same group.
        held = sorted(random.Random(self.id).sample(eligible, size))
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO hotel_marketing_holdout_rel (mailing_id, partner_id)
                SELECT %s, unnest(%s::int[]) ON CONFLICT DO NOTHING
                """,
                self.id,
                held,
            )
        )
        self.invalidate_recordset(["hotel_holdout_partner_ids"])
        self.env["res.partner"].invalidate_model(["hotel_holdout_mailing_ids"])
        return self.env["res.partner"].browse(held)

    def _hotel_allowed_recipients(self, res_ids):
        """Explicit recipients (automations, API calls) pass the same consent gate as the
        segment: the ids of ``res_ids`` this mailing may reach."""
        self.ensure_one()
        if not self._hotel_guards_consent():
            return res_ids
        ids = self.env["res.partner"].with_context(active_test=False).search(
            expression.AND([[("id", "in", list(res_ids))], self._get_recipients_domain()])
        ).ids
        if not ids:
            raise UserError(
                self.env._("None of the selected guests may receive this mailing: "
                           "consent missing, withdrawn, blacklisted or relay address.")
            )
        return ids

    def _hotel_blocked_recipients(self, addresses):
        """The gate every mailing passes at the last step, whatever its recipients model
        (contacts, mailing lists, any mailing-enabled model) and however it is sent (at
        once, queued, A/B, explicit ids): ``addresses`` maps each record about to be mailed
        to the normalised e-mails (the sanitised numbers for SMS) its message goes to;
        returns {record id: reason} for those that must not receive it.

        A record is blocked when any of its addresses is (see
        ``res.partner._hotel_blocked_emails`` / ``_hotel_blocked_numbers``); a contact
        (res.partner) also when it is not mailable on the channel or is in the holdout.
        """
        self.ensure_one()
        channel = self._hotel_consent_channel()
        _ = self.env._
        Partner = self.env["res.partner"]
        blocked = {}
        ids = [rid for rid in addresses if rid]
        if self.mailing_model_real == "res.partner" and ids:
            # sudo: the gate checks each recipient, whatever the sender may read of them
            mailable = set(Partner.sudo().with_context(active_test=False).search(
                expression.AND([[("id", "in", ids)], Partner._hotel_mailable_domain(channel)])
            ).ids)
            # sudo: the holdout group is checked, not shown
            held = set(self.sudo().hotel_holdout_partner_ids.ids)
            for rid in ids:
                if rid in held:
                    blocked[rid] = _("Holdout group of the mailing")
                elif rid not in mailable:
                    blocked[rid] = (_("No SMS consent") if channel == "sms"
                                    else _("No e-mail consent"))
        values = {value for values in addresses.values() for value in values if value}
        by_value = (Partner._hotel_blocked_numbers(values) if channel == "sms"
                    else Partner._hotel_blocked_emails(values))
        for rid, rid_values in addresses.items():
            reason = next((by_value[v] for v in rid_values if v in by_value), None)
            if reason:
                blocked[rid] = reason
        return blocked

    def _action_send_mail(self, res_ids=None):
        for mailing in self:
            mailing._hotel_draw_holdout()
        if res_ids is None:
            return super()._action_send_mail(res_ids)
        for mailing in self:
            super(MailingMailing, mailing)._action_send_mail(
                mailing._hotel_allowed_recipients(res_ids)
            )
        return True

    @api.constrains("hotel_holdout_pct", "mailing_model_id")
    def _check_hotel_holdout(self):
        for mailing in self:
            if mailing.hotel_holdout_pct and mailing.mailing_model_real != "res.partner":
                raise ValidationError(
                    self.env._("A holdout group can only be drawn from guests (contacts).")
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_hotel_preview_segment(self):
        self.ensure_one()
        if self.mailing_model_real != "res.partner":
            raise UserError(self.env._("The segment preview works on mailings to contacts."))
        preview = self.env["hotel.segment.preview"].create(
            {
                "mailing_domain": self.mailing_domain or "[]",
                "mailing_type": self.mailing_type,
            }
        )
        return preview._action_open()

    def action_hotel_view_attribution(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_marketing.hotel_marketing_attribution_action"
        )
        action["domain"] = [("mailing_id", "=", self.id)]
        return action
