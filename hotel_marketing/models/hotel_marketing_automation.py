from ast import literal_eval
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, trusted

# Set by the automation's own runs: its statistics mailing and the clock of its last run.
PROTECTED_AUTOMATION_FIELDS = ("mailing_id", "last_run")


class HotelMarketingAutomation(models.Model):
    """A lifecycle mail (M2, M3, L7, B2): which occasion, which template, which guests.

    Occasions come from ``_hotel_occasions_<kind>(today)`` hooks that return
    ``(partner_id, occasion_key, stay_id)`` tuples; bridges add kinds with
    ``selection_add`` and one hook each. A ``hotel.marketing.send`` row, unique per
    (automation, guest, occasion key), is claimed before the mail is created, so a guest
    gets each occasion once even when the cron runs twice or on two workers.
    """

    _name = "hotel.marketing.automation"
    _description = "Lifecycle Mail Automation"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            ("booking", "Booking Confirmation"),
            ("pre_arrival", "Pre-Arrival"),
            ("post_stay", "Post-Stay Thank-You"),
            ("birthday", "Birthday Greeting"),
            ("holiday", "Holiday Greeting"),
        ],
        string="Occasion",
        required=True,
    )
    template_id = fields.Many2one(
        "mail.template",
        string="Mail Template",
        required=True,
        domain=[("model", "=", "res.partner")],
        ondelete="restrict",
        help="Rendered in the guest's language (Chinese or English templates through "
        "their translations).",
    )
    days = fields.Integer(
        default=0,
        help="Pre-arrival: days before check-in. Post-stay: days after check-out. "
        "Birthday and holiday: days before the date. Win-back: days without a stay. "
        "Welcome: days after joining.",
    )
    catch_up_days = fields.Integer(
        default=3,
        help="An occasion missed (server down, automation paused) is still mailed this many "
        "days late; older ones are skipped.",
    )
    occasion_date = fields.Date(
        help="Holiday greetings: the holiday's date this year (Spring Festival and "
        "Mid-Autumn follow the lunar calendar: set them each year)."
    )
    yearly = fields.Boolean(
        string="Same Date Every Year",
        help="Move the holiday date to next year once it has passed (Christmas, New Year).",
    )
    mailing_domain = fields.Char(
        string="Segment",
        default="[('is_guest', '=', True)]",
        required=True,
        help="Guests who may receive this mail; consent, blacklist and relay addresses are "
        "checked on top and always win.",
    )
    company_ids = fields.Many2many(
        "res.company",
        "hotel_marketing_automation_company_rel",
        "automation_id",
        "company_id",
        string="Properties",
        help="Only stays at (or guests of) these properties; empty means every property.",
    )
    campaign_id = fields.Many2one("utm.campaign", index=True, ondelete="set null")
    mailing_id = fields.Many2one(
        "mailing.mailing",
        string="Statistics Mailing",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="Opens, clicks and conversions of this automation count on this mailing, "
        "like a campaign.",
    )
    send_ids = fields.One2many("hotel.marketing.send", "automation_id", string="Mails Sent")
    send_count = fields.Integer(compute="_compute_send_count", string="Sent")
    last_run = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        ("days_check", "CHECK(days >= 0 AND catch_up_days >= 0)",
         "Days cannot be negative."),
    ]

    def _compute_send_count(self):
        counts = dict(
            self.env["hotel.marketing.send"]._read_group(
                [("automation_id", "in", self.ids)], ["automation_id"], ["__count"]
            )
        )
        for automation in self:
            automation.send_count = counts.get(automation, 0)

    @api.constrains("kind", "occasion_date")
    def _check_occasion_date(self):
        for automation in self:
            if automation.kind == "holiday" and not automation.occasion_date:
                raise ValidationError(
                    self.env._("A holiday greeting needs the date of the holiday.")
                )

    @api.constrains("template_id")
    def _check_template_model(self):
        for automation in self:
            if automation.template_id.model != "res.partner":
                raise ValidationError(
                    self.env._("The mail template of an automation must be written for "
                               "contacts (model res.partner).")
                )

    @api.constrains("mailing_domain")
    def _check_mailing_domain(self):
        for automation in self:
            try:
                self.env["res.partner"].search_count(automation._hotel_segment())
            except (ValueError, SyntaxError, TypeError, KeyError):
                raise ValidationError(
                    self.env._("The segment of “%(name)s” is not a valid filter on guests.",
                               name=automation.name)
                ) from None

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, PROTECTED_AUTOMATION_FIELDS, vals,
                                   "hotel_marketing.automation_run")
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, PROTECTED_AUTOMATION_FIELDS, vals,
                               "hotel_marketing.automation_run")
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_hotel_run(self):
        """Run now what the hourly job would run: marketing only (every internal hotel
        user may read automations)."""
        if not self.env.user.has_group("hotel_crm.group_hotel_marketing"):
            raise AccessError(self.env._("Only marketing runs automated mails."))
        count = self._hotel_run()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s mail(s) queued.", count=count),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_hotel_view_sends(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hotel_marketing.hotel_marketing_send_action"
        )
        action["domain"] = [("automation_id", "=", self.id)]
        return action

    def action_hotel_preview_segment(self):
        self.ensure_one()
        return self.env["hotel.segment.preview"].create(
            {"mailing_domain": self.mailing_domain}
        )._action_open()

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------
    @api.model
    def _cron_hotel_run(self):
        automations = self.search([])
        for done, automation in enumerate(automations, start=1):
            automation._hotel_run()
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(automations) - done)
        self.search([("kind", "=", "holiday"), ("yearly", "=", True)])._hotel_roll_yearly()

    def _hotel_roll_yearly(self, today=None):
        today = today or fields.Date.context_today(self)
        for automation in self:
            if automation.occasion_date and automation.occasion_date < today - timedelta(
                days=automation.catch_up_days
            ):
                automation.occasion_date += relativedelta(years=1)

    def _hotel_run(self, today=None):
        """Mail every occasion due today; returns the number of mails created."""
        today = today or fields.Date.context_today(self)
        total = 0
        for automation in self.filtered("active"):
            total += automation._hotel_run_one(today)
        return total

    def _hotel_run_one(self, today):
        self.ensure_one()
        occasions = getattr(self, f"_hotel_occasions_{self.kind}")(today)
        if not occasions:
            with trusted("hotel_marketing.automation_run"):
                self.last_run = fields.Datetime.now()
            return 0
        partner_ids = list({occasion[0] for occasion in occasions})
        allowed = set(
            self.env["res.partner"]
            .search(expression.AND([[("id", "in", partner_ids)], self._hotel_audience()]))
            .ids
        )
        occasions = [occasion for occasion in occasions if occasion[0] in allowed]
        sends = self._hotel_claim(occasions)
        sends._hotel_send()
        with trusted("hotel_marketing.automation_run"):
            self.last_run = fields.Datetime.now()
        return len(sends)

    def _hotel_segment(self):
        self.ensure_one()
        try:
            domain = literal_eval(self.mailing_domain or "[]")
        except (ValueError, SyntaxError):
            raise UserError(
                self.env._("The segment of “%(name)s” is not a valid filter on guests.",
                           name=self.name)
            ) from None
        return domain

    def _hotel_audience(self):
        """Segment AND consent: whatever the segment says, consent wins."""
        self.ensure_one()
        domain = expression.AND(
            [self._hotel_segment(), self.env["res.partner"]._hotel_mailable_domain("email")]
        )
        if self.company_ids and self.kind not in self._hotel_stay_kinds():
            domain = expression.AND([domain, [("property_ids", "in", self.company_ids.ids)]])
        return domain

    @api.model
    def _hotel_stay_kinds(self):
        return ("booking", "pre_arrival", "post_stay")

    def _hotel_claim(self, occasions):
        """Insert the send rows; only rows that did not exist yet come back."""
        self.ensure_one()
        if not occasions:
            return self.env["hotel.marketing.send"]
        self.env["hotel.marketing.send"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO hotel_marketing_send
                       (automation_id, partner_id, occasion_key, stay_id, company_id, state,
                        send_date, create_uid, write_uid, create_date, write_date)
                SELECT %(automation)s, u.partner_id, u.occasion_key, s.id, s.company_id,
                       'queued', %(now)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(partners)s::int[], %(keys)s::varchar[], %(stays)s::int[])
                       AS u(partner_id, occasion_key, stay_id)
                  LEFT JOIN hotel_stay s ON s.id = u.stay_id
                ON CONFLICT (automation_id, partner_id, occasion_key) DO NOTHING
                RETURNING id
                """,
                automation=self.id,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                partners=[occasion[0] for occasion in occasions],
                keys=[occasion[1] for occasion in occasions],
                stays=[occasion[2] or 0 for occasion in occasions],
            )
        )
        return self.env["hotel.marketing.send"].browse([row[0] for row in self.env.cr.fetchall()])

    def _hotel_mailing(self):
        """The mailing that carries this automation's statistics (created on first use)."""
        self.ensure_one()
        if not self.mailing_id:
            # sudo: the statistics mailing is created by the system, whoever runs the automation
            self.sudo().mailing_id = self.env["mailing.mailing"].sudo().create(
                {
                    "subject": self.name,
                    "body_html": self.template_id.body_html,
                    "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "mailing_domain": self.mailing_domain,
                    "campaign_id": self.campaign_id.id,
                    "state": "done",
                    "sent_date": fields.Datetime.now(),
                    "hotel_automation_id": self.id,
                }
            )
        return self.mailing_id

    # ------------------------------------------------------------------
    # Occasions: (partner_id, occasion_key, stay_id) per kind
    # ------------------------------------------------------------------
    def _hotel_stay_occasions(self, where):
        companies = SQL("")
        if self.company_ids:
            companies = SQL("AND s.company_id = ANY(%s)", self.company_ids.ids)
        self.env["hotel.stay"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT s.partner_id, 'stay:' || s.id, s.id FROM hotel_stay s "
                "WHERE %s %s ORDER BY s.id",
                where,
                companies,
            )
        )
        return self.env.cr.fetchall()

    def _hotel_occasions_booking(self, today):
        since = today - timedelta(days=self.catch_up_days)
        return self._hotel_stay_occasions(
            SQL("s.state = 'booked' AND s.booked_on BETWEEN %s AND %s AND s.check_in >= %s",
                since, today, today)
        )

    def _hotel_occasions_pre_arrival(self, today):
        return self._hotel_stay_occasions(
            SQL("s.state = 'booked' AND s.check_in > %s AND s.check_in <= %s",
                today, today + timedelta(days=self.days))
        )

    def _hotel_occasions_post_stay(self, today):
        last = today - timedelta(days=self.days)
        return self._hotel_stay_occasions(
            SQL("s.state = 'checked_out' AND s.check_out BETWEEN %s AND %s",
                last - timedelta(days=self.catch_up_days), last)
        )

    def _hotel_occasions_birthday(self, today):
        # Birthdays falling between (today + days - catch_up) and (today + days).
        dates = [
            today + timedelta(days=self.days - back) for back in range(self.catch_up_days + 1)
        ]
        by_md = {(d.month, d.day): d for d in dates}
        if (2, 28) in by_md and not _is_leap(by_md[(2, 28)].year):
            by_md[(2, 29)] = by_md[(2, 28)]  # 29 February guests are greeted on the 28th
        self.env["res.partner"].flush_model(["birthday", "birthday_month", "is_guest"])
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, EXTRACT(MONTH FROM p.birthday)::int,
                       EXTRACT(DAY FROM p.birthday)::int
                  FROM res_partner p
                 WHERE p.is_guest AND p.birthday IS NOT NULL
                   AND p.birthday_month = ANY(%s)
                   AND TO_CHAR(p.birthday, 'MM-DD') = ANY(%s)
                """,
                list({m for m, _d in by_md}),
                [f"{m:02d}-{d:02d}" for m, d in by_md],
            )
        )
        return [
            (pid, f"birthday:{by_md[(month, day)].year}", None)
            for pid, month, day in self.env.cr.fetchall()
        ]

    def _hotel_occasions_holiday(self, today):
        start = self.occasion_date - timedelta(days=self.days)
        if not start <= today <= start + timedelta(days=self.catch_up_days):
            return []
        partners = self.env["res.partner"].search([("is_guest", "=", True)])
        key = f"holiday:{self.occasion_date.isoformat()}"
        return [(pid, key, None) for pid in partners.ids]

    # ------------------------------------------------------------------
    # Rendering: values templates read as ctx['hotel_occasion']
    # ------------------------------------------------------------------
    def _hotel_occasion_values(self, send):
        """Values offered to the template; bridges add theirs (survey link, points)."""
        values = {"kind": self.kind, "occasion_date": self.occasion_date}
        stay = send.stay_id
        if stay:
            values.update(
                {
                    "stay_ref": stay.booking_ref,
                    "property": stay.company_id.name,
                    "check_in": stay.check_in,
                    "check_out": stay.check_out,
                    "nights": stay.nights,
                }
            )
        return values


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)

