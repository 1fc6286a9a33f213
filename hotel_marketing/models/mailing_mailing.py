import random

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields

from .hotel_marketing_attribution import ATTRIBUTED_STATES

# Drawn or linked by the addon itself: a user who could write them would choose who is left
# out of a campaign's measure or move a mailing under another automation's figures.
PROTECTED_MAILING_FIELDS = ("hotel_holdout_partner_ids", "hotel_automation_id")
# Who the mailing is sent on behalf of, and the properties that user had selected (S1): a
# user who could write them would send to guests of properties they may not see.
SCOPE_FIELDS = ("hotel_sender_id", "hotel_scope_company_ids")
QUEUED_STATES = ("in_queue", "sending")


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
    hotel_sender_id = fields.Many2one(
        "res.users",
        string="Sent on Behalf of",
        readonly=True,
        copy=False,
        ondelete="restrict",  # unbound would mean chain-wide
        help="The user who last queued or sent the mailing, or changed it while it was "
        "queued: it only reaches the recipients this user may see.",
    )
    hotel_scope_company_ids = fields.Many2many(
        "res.company",
        "hotel_marketing_mailing_scope_rel",
        "mailing_id",
        "company_id",
        string="Property Scope",
        readonly=True,
        copy=False,
        help="Properties that user had selected at that moment: guests of other properties "
        "only are not mailed, whoever sends the mailing in the end (the mailing queue runs "
        "as superuser).",
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
            check_protected_fields(self, SCOPE_FIELDS, vals, "hotel_marketing.mailing_scope")
        mailings = super().create(vals_list)
        mailings.filtered(lambda m: m.state in QUEUED_STATES)._hotel_bind_sender()
        return mailings

    def write(self, vals):
        check_protected_fields(self, PROTECTED_MAILING_FIELDS, vals,
                               "hotel_marketing.mailing_figures")
        check_protected_fields(self, SCOPE_FIELDS, vals, "hotel_marketing.mailing_scope")
        result = super().write(vals)
        # Queued (action_put_in_queue / action_launch / action_schedule / "Retry failed", or
        # the state written directly), or changed while in the queue: the mailing now goes
        # out on behalf of this user.
        self.filtered(lambda m: m.state in QUEUED_STATES)._hotel_bind_sender()
        return result

    # ------------------------------------------------------------------
    # Property scope (S1): a mailing reaches only what its sender may see, however it is
    # sent (at once as the user, or by the mailing queue / A/B cron as superuser).
    # ------------------------------------------------------------------
    def _hotel_bind_sender(self):
        """Record the current user and the properties they have selected as the mailing's
        sender and scope. Superuser code (the mailing crons) never rebinds a mailing: it
        sends on behalf of whoever queued it."""
        if not self or self.env.su:
            return
        # sudo: the addon records who sends the mailing; nobody writes these fields
        self.sudo().write({
            "hotel_sender_id": self.env.uid,
            "hotel_scope_company_ids": [Command.set(self.env.companies.ids)],
        })

    def _hotel_scope_domain(self, model_name=None):
        """Domain on ``model_name`` (default: the recipients model) of the records the
        mailing's sender may read with the properties recorded as its scope: their own
        record rules (the guest property rule on res.partner, company rules elsewhere),
        evaluated for that user, however the mailing is sent. ``None`` for a mailing no
        user ever queued or sent (queued by superuser code only): not bound."""
        self.ensure_one()
        # sudo: the scope is read to limit the recipients, whoever sends
        mailing = self.sudo()
        sender = mailing.hotel_sender_id
        if not sender:
            return None
        # properties the sender may still select (a property taken away since is dropped)
        companies = mailing.hotel_scope_company_ids & sender.company_ids
        if not companies:
            return expression.FALSE_DOMAIN
        rules = self.env["ir.rule"].with_user(sender).with_context(
            allowed_company_ids=companies.ids)
        return rules._compute_domain(model_name or self.mailing_model_real, "read")

    def _hotel_hidden_guest_emails_sql(self):
        """SQL sub-query of the e-mails held only by guests the sender may not see (none of
        the guests holding it is visible to them), or ``None`` when the mailing is not
        bound. Mailing lists are not per property: a subscriber whose address belongs only
        to guests of other properties is left out of a property-bound mailing."""
        scope = self._hotel_scope_domain("res.partner")
        if scope is None:
            return None
        # sudo: addresses are matched inside the query, never read or shown
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        guests = [("is_guest", "=", True), ("email_normalized", "!=", False)]
        email = SQL.identifier("res_partner", "email_normalized")
        return SQL(
            "(%s EXCEPT %s)",
            Partner._search(guests).subselect(email),
            Partner._search(expression.AND([guests, scope])).subselect(email),
        )

    def _hotel_scope_recipients_domain(self):
        """What the property scope adds to the recipients domain (``[]`` when unbound)."""
        self.ensure_one()
        scope = self._hotel_scope_domain()
        if scope is None:
            return []
        if self.mailing_model_real == "mailing.contact" and self.mailing_type != "sms":
            scope = expression.AND([scope, [
                "|", ("email_normalized", "=", False),
                ("email_normalized", "not in", self._hotel_hidden_guest_emails_sql()),
            ]])
        return scope

    def _hotel_out_of_scope(self, addresses):
        """{record id: reason} of the records of ``addresses`` (see
        ``_hotel_blocked_recipients``) outside the sender's scope: the record itself is not
        visible to the sender, or all its addresses belong only to guests the sender may
        not see. The last check before sending, after the recipients domain."""
        self.ensure_one()
        scope = self._hotel_scope_domain()
        if scope is None:
            return {}
        reason = self.env._("Guest of a property outside the sender's scope")
        ids = [rid for rid in addresses if rid]
        # sudo: the records are checked against the sender's rules, not read
        Model = self.env[self.mailing_model_real].sudo().with_context(active_test=False)
        visible = set(Model.search(expression.AND([[("id", "in", ids)], scope])).ids)
        blocked = {rid: reason for rid in ids if rid not in visible}
        values = {value for values in addresses.values() for value in values if value}
        if not values:
            return blocked
        Partner = self.env["res.partner"]
        holders = (Partner._hotel_partners_by_number(values) if self._hotel_consent_channel()
                   == "sms" else Partner._hotel_partners_by_email(values))
        guests = {value: partners.filtered("is_guest") for value, partners in holders.items()}
        guest_ids = {pid for partners in guests.values() for pid in partners.ids}
        # sudo: the guests are checked against the sender's rules, not read
        seen = set(Partner.sudo().with_context(active_test=False).search(expression.AND([
            [("id", "in", list(guest_ids))], self._hotel_scope_domain("res.partner"),
        ])).ids) if guest_ids else set()
        hidden = {value for value, partners in guests.items()
                  if partners and not set(partners.ids) & seen}
        for rid, rid_values in addresses.items():
            rid_values = [value for value in rid_values if value]
            if rid_values and all(value in hidden for value in rid_values):
                blocked[rid] = reason
        return blocked

    def action_send_mail(self, res_ids=None):
        self._hotel_bind_sender()
        return super().action_send_mail(res_ids)

    def action_select_as_winner(self):
        """The winner of an A/B test picked by the A/B cron (superuser) goes out on behalf
        of the sender of the winning version; picked by a user, on theirs."""
        action = super().action_select_as_winner()
        final = self.campaign_id.ab_testing_winner_mailing_id
        # sudo: the sender and scope of the winning version are copied, never chosen
        if final and self.env.su and not final.sudo().hotel_sender_id and self.hotel_sender_id:
            final.sudo().write({
                "hotel_sender_id": self.hotel_sender_id.id,
                "hotel_scope_company_ids": [Command.set(self.hotel_scope_company_ids.ids)],
            })
        return action

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
        domain = expression.AND([
            super()._get_recipients_domain(), self._hotel_scope_recipients_domain(),
        ])
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
        """Explicit recipients (automations, API calls) pass the same consent gate and
        property scope as the segment: the ids of ``res_ids`` this mailing may reach."""
        self.ensure_one()
        if not self._hotel_guards_consent():
            scope = self._hotel_scope_recipients_domain()
            if not scope:
                return res_ids
            # sudo: the ids are only checked against the sender's scope
            ids = self.env[self.mailing_model_real].sudo().with_context(
                active_test=False).search(
                expression.AND([[("id", "in", list(res_ids))], scope])).ids
            if not ids:
                raise UserError(self.env._(
                    "None of the selected recipients may receive this mailing: they are "
                    "outside the properties of the user who sends it."))
            return ids
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
        (res.partner) also when it is not mailable on the channel or is in the holdout; any
        record when it is outside the property scope of the mailing's sender
        (``_hotel_out_of_scope``).
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
        for rid, reason in self._hotel_out_of_scope(addresses).items():
            blocked.setdefault(rid, reason)
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
