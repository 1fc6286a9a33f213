from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields, is_trusted, trusted

CHANNELS = [
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("chat", "Live Chat"),
    ("wechat", "WeChat"),
    ("weibo", "Weibo"),
    ("dianping", "Dianping"),
    ("front_desk", "Front Desk"),
    ("survey", "Survey"),
    ("review", "Online Review"),
    ("other", "Other"),
]
SLA_STATES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
SLA_STATE_FIELDS = ["reply_sla_state", "resolve_sla_state", "sla_state", "reply_breached",
                    "resolve_breached"]
AT_RISK = 0.8  # share of the allowed time after which a running clock is at risk
# What only the addon's own logic writes (F4, F6, R1): the two clocks, their SLA states and
# escalations, the figures the KPIs are made of, the classification and its accuracy, the
# approval of a compensation and the links to the survey answer or review a ticket came from.
CLOCK = "hotel_feedback.clock"
PROTECTED_FIELDS = frozenset({
    "reference", "sla_id", "received_date", "opened_date", "reply_deadline",
    "resolve_deadline", "first_reply_date", "resolved_date", "reply_hours", "resolve_hours",
    "reply_sla_state", "resolve_sla_state", "sla_state", "reply_escalated", "resolve_escalated",
    "is_closed", "department", "auto_category_id", "classification_confidence",
    "category_corrected", "compensation_approved_by", "survey_user_input_id", "review_id",
    "reply_breached", "resolve_breached", "first_resolved_date", "first_resolve_hours",
    "first_resolve_deadline",
})
OWNER_GROUP = "hotel_crm.group_hotel_front_desk"  # front desk, guest relations, manager
# What an approved compensation was approved for: fixed once approved (F7).
COMPENSATION_FIELDS = frozenset({
    "compensation_type", "compensation_value", "compensation_cost", "compensation_points",
    "partner_id", "company_id",
})
BACKDATE_DAYS = 7  # how far back guest relations may date a complaint logged late


def check_create_values(model, protected, vals_list, reason):
    """``check_protected_fields`` for a create: the values and the ``default_*`` context keys
    (defaults are applied inside ``create``, after an override sees ``vals``)."""
    defaults = {key[8:]: value for key, value in model.env.context.items()
                if key.startswith("default_")}
    check_protected_fields(model, protected, defaults, reason)
    for vals in vals_list:
        check_protected_fields(model, protected, vals, reason)


def check_guest_links(record, partner, stay, company):
    """A record of ``company`` shows its guest and stay to every user of that property (a
    many2one's name is read as superuser): the caller must see them, the stay must be of that
    property and of that guest, and the guest must be one of that property's (or have no
    stay yet)."""
    env = record.env
    if company and company not in env.user.company_ids:
        raise AccessError(env._("You cannot record this for a property you do not work at."))
    if partner:
        partner.check_access("read")
        if (partner.is_guest and partner.property_ids and company
                and company not in partner.property_ids):
            raise AccessError(env._(
                "%(guest)s has no stay at %(property)s: record it at a property the guest "
                "stayed at.", guest=partner.display_name, property=company.name,
            ))
    if stay:
        stay.check_access("read")
        if company and stay.company_id != company:
            raise UserError(env._("The stay is not at this property."))
        if stay.partner_id != partner:
            raise UserError(env._("The stay is not the guest's."))


class HotelFeedback(models.Model):
    _name = "hotel.feedback"
    _description = "Guest Feedback"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _primary_email = "email_from"

    name = fields.Char(string="Subject", required=True, tracking=True)
    reference = fields.Char(readonly=True, copy=False, index=True, default="/")
    partner_id = fields.Many2one(
        "res.partner", string="Guest", index=True, tracking=True,
        domain=[("is_company", "=", False)],
    )
    email_from = fields.Char(string="E-mail", help="Sender of an e-mailed feedback.")
    stay_id = fields.Many2one(
        "hotel.stay", index=True,
        domain="[('partner_id', '=?', partner_id)]",
    )
    company_id = fields.Many2one(
        "res.company", string="Property", required=True, index=True,
        default=lambda self: self.env.company,
    )
    channel = fields.Selection(CHANNELS, required=True, default="front_desk", index=True)
    category_id = fields.Many2one("hotel.feedback.category", index=True, tracking=True)
    auto_category_id = fields.Many2one(
        "hotel.feedback.category", string="Suggested Category", readonly=True, copy=False,
        help="Category chosen by the keyword classification when the ticket was created.",
    )
    classification_confidence = fields.Float(readonly=True, digits=(3, 2), copy=False)
    category_corrected = fields.Boolean(
        readonly=True, copy=False,
        help="Staff changed the suggested category (counts for its accuracy).",
    )
    team_id = fields.Many2one(
        "hotel.feedback.team", string="Department", index=True, tracking=True,
        compute="_compute_team_id", store=True, readonly=False,
    )
    department = fields.Selection(related="team_id.department", store=True, string="Area")
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Urgent")],
        default="1", index=True, tracking=True,
    )
    stage_id = fields.Many2one(
        "hotel.feedback.stage", index=True, tracking=True, copy=False,
        group_expand="_read_group_stage_ids",
        default=lambda self: self.env["hotel.feedback.stage"].search([], limit=1),
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    user_id = fields.Many2one(
        "res.users", string="Owner", index=True, tracking=True,
        default=lambda self: self._default_owner(),
        help="Front desk or guest relations user of the ticket's property who answers it.",
    )
    tag_ids = fields.Many2many("res.partner.category", string="Tags")
    description = fields.Text(help="What the guest said, as plain text.")
    resolution = fields.Text()
    # Two clocks (F4)
    sla_id = fields.Many2one(
        "hotel.feedback.sla", string="SLA Policy", readonly=True, copy=False
    )
    received_date = fields.Datetime(
        string="Received", readonly=True, default=fields.Datetime.now, index=True, copy=False,
        help="When the feedback reached the hotel: start of the reply clock.",
    )
    opened_date = fields.Datetime(
        string="Opened", readonly=True, default=fields.Datetime.now, index=True, copy=False,
        help="Start of the resolution clock (the reopening time after a reopen).",
    )
    reply_deadline = fields.Datetime(readonly=True, index=True, copy=False)
    resolve_deadline = fields.Datetime(readonly=True, index=True, copy=False)
    first_reply_date = fields.Datetime(readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, index=True, copy=False)
    reply_hours = fields.Float(
        string="Reply Time (h)", readonly=True, aggregator="avg", digits=(16, 2), copy=False
    )
    resolve_hours = fields.Float(
        string="Resolution Time (h)", readonly=True, aggregator="avg", digits=(16, 2),
        copy=False,
    )
    reply_sla_state = fields.Selection(SLA_STATES, readonly=True, index=True, copy=False)
    resolve_sla_state = fields.Selection(SLA_STATES, readonly=True, index=True, copy=False)
    sla_state = fields.Selection(
        SLA_STATES, string="SLA", readonly=True, index=True, copy=False,
        help="Worst of the two clocks; Met once both were met.",
    )
    reply_escalated = fields.Boolean(readonly=True, copy=False)
    resolve_escalated = fields.Boolean(readonly=True, copy=False)
    # What the figures count (F6, R1): set once, never undone by a reopening
    reply_breached = fields.Boolean(
        string="Reply SLA Breached", readonly=True, copy=False, index=True,
        help="The reply clock ran out once; kept for the figures whatever happens next.",
    )
    first_resolved_date = fields.Datetime(
        string="First Resolved", readonly=True, index=True, copy=False,
        help="When the ticket first reached a closing stage; a reopening does not change it.",
    )
    first_resolve_hours = fields.Float(
        string="First Resolution Time (h)", readonly=True, aggregator="avg", digits=(16, 2),
        copy=False,
    )
    first_resolve_deadline = fields.Datetime(
        string="First Resolution Deadline", readonly=True, copy=False,
        help="The resolution deadline when the ticket was first closed.",
    )
    resolve_breached = fields.Boolean(
        string="Resolution SLA Breached", readonly=True, copy=False, index=True,
        help="The first resolution missed its deadline (closed late, or still open after "
        "it); kept after a reopening.",
    )
    # Service recovery (F7)
    compensation_type = fields.Selection(
        [("voucher", "Voucher"), ("upgrade", "Upgrade"), ("discount", "Discount"),
         ("amenity", "Amenity"), ("points", "Loyalty Points"), ("other", "Other")],
    )
    compensation_value = fields.Char(help="e.g. 1 night, 100 CNY voucher, 500 points")
    compensation_cost = fields.Monetary(currency_field="currency_id")
    compensation_points = fields.Integer(help="Points granted when the type is loyalty points.")
    compensation_approved_by = fields.Many2one("res.users", readonly=True, copy=False)
    currency_id = fields.Many2one(related="company_id.currency_id")
    # Survey (F5)
    survey_user_input_id = fields.Many2one(
        "survey.user_input", readonly=True, index=True, copy=False
    )
    review_id = fields.Many2one("hotel.review", readonly=True, index=True, copy=False)

    _sql_constraints = [
        ("survey_unique", "unique(survey_user_input_id)",
         "A survey answer opens at most one ticket."),
        ("cost_check", "CHECK(compensation_cost >= 0)", "A compensation cost cannot be negative."),
    ]

    @api.depends("category_id")
    def _compute_team_id(self):
        for ticket in self:
            if ticket.category_id:
                ticket.team_id = ticket.category_id.team_id

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.model
    def _default_owner(self):
        """The user recording the ticket, when they may own it (the mail gateway, a survey or
        a review leave it to guest relations)."""
        user = self.env.user
        if user.active and user._is_internal() and user.has_group(OWNER_GROUP):
            return user
        return self.env["res.users"]

    @api.constrains("user_id", "company_id")
    def _check_owner(self):
        """The owner gets the SLA activity and answers for the clocks: an active internal user
        of the front desk (or guest relations) who can read the ticket at its property."""
        for ticket in self.filtered("user_id"):
            owner = ticket.user_id.sudo()  # sudo: the owner's groups and properties
            if (owner.active and owner._is_internal() and owner.has_group(OWNER_GROUP)
                    and ticket.company_id in owner.company_ids
                    and ticket.with_user(owner).with_context(
                        allowed_company_ids=owner.company_ids.ids).has_access("read")):
                continue
            raise ValidationError(self.env._(
                "%(user)s cannot own %(ticket)s: the owner must be an active Front Desk or "
                "Guest Relations user of %(property)s who can see the ticket.",
                user=owner.name, ticket=ticket.reference or ticket.name,
                property=ticket.company_id.name,
            ))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        own = is_trusted(self.env, CLOCK)
        if not own:
            # a complaint logged late may carry when it really arrived (checked below)
            check_create_values(self, PROTECTED_FIELDS - {"received_date"}, [
                {k: v for k, v in vals.items()
                 if k != "received_date" and not (k == "reference" and v == "/")}
                for vals in vals_list
            ], CLOCK)
            check_create_values(self, {"received_date"}, [], CLOCK)
        Category = self.env["hotel.feedback.category"]
        for vals in vals_list:
            if not (vals.get("name") or "").strip():
                text = (vals.get("description") or "").strip()
                vals["name"] = text[:60] or self.env._("Feedback")
            if vals.get("stay_id") and not vals.get("partner_id"):
                vals["partner_id"] = self.env["hotel.stay"].browse(vals["stay_id"]).partner_id.id
            if not own:
                self._check_new_values(vals)
            if not vals.get("category_id"):
                category, confidence = Category._classify(
                    f"{vals.get('name', '')}\n{vals.get('description') or ''}"
                )
                if category:
                    vals.update(category_id=category.id, auto_category_id=category.id,
                                classification_confidence=confidence)
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("hotel.feedback")
        tickets = super().create(vals_list)
        tickets._start_clocks(reply=True)
        tickets.filtered("is_closed")._stop_resolve_clock()
        tickets._schedule_owner_activity()
        return tickets

    def _check_new_values(self, vals):
        """What a user may give a new ticket: a guest, stay and property of their own; a
        received time only as guest relations, in the past, at most BACKDATE_DAYS ago and not
        before the stay."""
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        stay = self.env["hotel.stay"].browse(vals.get("stay_id") or [])
        partner = self.env["res.partner"].browse(vals.get("partner_id") or [])
        check_guest_links(self, partner, stay, company)
        if not vals.get("received_date"):
            return
        if not self.env.user.has_group("hotel_crm.group_hotel_guest_relations"):
            raise AccessError(self.env._(
                "Only Guest Relations can record when an older complaint was received."
            ))
        received = fields.Datetime.to_datetime(vals["received_date"])
        now = fields.Datetime.now()
        earliest = now - timedelta(days=BACKDATE_DAYS)
        if stay.check_in:
            earliest = max(earliest, fields.Datetime.to_datetime(stay.check_in))
        if not earliest <= received <= now:
            raise UserError(self.env._(
                "The received time must lie between %(earliest)s and now (UTC).",
                earliest=earliest,
            ))

    def _write_clock(self, vals):
        """Write clock and escalation fields without the side effects of write()."""
        with trusted(CLOCK):
            return super().write(vals)

    def write(self, vals):
        if not is_trusted(self.env, CLOCK):
            check_protected_fields(self, PROTECTED_FIELDS, vals, CLOCK)
            self._check_changed_values(vals)
        if "category_id" in vals:
            for ticket in self.filtered("auto_category_id"):
                if vals["category_id"] != ticket.auto_category_id.id:
                    vals = {**vals, "category_corrected": True}
                    break
        closing = reopening = self.browse()
        if "stage_id" in vals:
            stage = self.env["hotel.feedback.stage"].browse(vals["stage_id"])
            closing = self.filtered(lambda t: not t.is_closed) if stage.is_closed else closing
            reopening = self.filtered("is_closed") if not stage.is_closed else reopening
        res = super().write(vals)
        if closing:
            closing._stop_resolve_clock()
        if reopening:
            reopening._reopen()
        if {"category_id", "priority"} & set(vals):
            self.filtered(lambda t: not t.is_closed)._start_clocks()
        if "user_id" in vals:
            self._schedule_owner_activity()
        return res

    def _check_changed_values(self, vals):
        """A user's write: an approved compensation stays what was approved (and for whom);
        guest, stay and property stay consistent and the user's own."""
        if COMPENSATION_FIELDS & set(vals) and self.filtered("compensation_approved_by"):
            raise UserError(self.env._(
                "The compensation was approved: its guest, property, type, value, cost and "
                "points can no longer change."
            ))
        if {"partner_id", "stay_id", "company_id"} & set(vals):
            Partner, Stay = self.env["res.partner"], self.env["hotel.stay"]
            Company = self.env["res.company"]
            for ticket in self:
                check_guest_links(
                    ticket,
                    Partner.browse(vals["partner_id"] or []) if "partner_id" in vals
                    else ticket.partner_id,
                    Stay.browse(vals["stay_id"] or []) if "stay_id" in vals else ticket.stay_id,
                    Company.browse(vals["company_id"] or []) if "company_id" in vals
                    else ticket.company_id,
                )

    # ------------------------------------------------------------------
    # Clocks
    # ------------------------------------------------------------------
    def _start_clocks(self, reply=True, restart=False):
        """Plan the deadlines from the ticket's policy. A clock that ran out or was escalated
        is never planned again (a new priority or category does not erase a breach); a
        reopening (``restart``) plans a new resolution clock."""
        now = fields.Datetime.now()
        for ticket in self:
            sla = self.env["hotel.feedback.sla"]._for_ticket(ticket.category_id, ticket.priority)
            if not sla:
                continue
            vals = {"sla_id": sla.id}
            start = ticket.opened_date or now
            if (reply and not ticket.first_reply_date and not ticket.reply_escalated
                    and not (ticket.reply_deadline and ticket.reply_deadline <= now)):
                received = ticket.received_date or start
                vals["reply_deadline"] = sla._deadline(received, sla.reply_hours,
                                                       ticket.company_id)
            if not ticket.resolved_date and (restart or (
                    not ticket.resolve_escalated
                    and not (ticket.resolve_deadline and ticket.resolve_deadline <= now))):
                vals["resolve_deadline"] = sla._deadline(
                    start, sla.resolve_hours, ticket.company_id
                )
            ticket._write_clock(vals)
        self._update_sla_states()

    def _stop_resolve_clock(self):
        """Stop the resolution clock; the first closing is kept for the figures (F6): the
        first resolution counts against its first deadline, whatever reopenings follow."""
        now = fields.Datetime.now()
        for ticket in self:
            hours = (now - ticket.opened_date).total_seconds() / 3600
            vals = {"resolved_date": now, "resolve_hours": hours}
            if not ticket.first_resolved_date:
                vals.update(first_resolved_date=now, first_resolve_hours=hours,
                            first_resolve_deadline=ticket.resolve_deadline)
            ticket._write_clock(vals)
        self.activity_feedback(["hotel_feedback.mail_activity_feedback_owner",
                                "hotel_feedback.mail_activity_feedback_escalation"])
        self._update_sla_states()

    def _reopen(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket._write_clock({
                "opened_date": now, "resolved_date": False, "resolve_hours": 0.0,
                "resolve_escalated": False,
            })
            ticket.message_post(body=self.env._("Reopened: the resolution clock restarts."),
                                subtype_xmlid="mail.mt_note")
        self._start_clocks(reply=False, restart=True)

    def _record_first_reply(self, when):
        for ticket in self.filtered(lambda t: not t.first_reply_date):
            ticket._write_clock({
                "first_reply_date": when,
                "reply_hours": (when - ticket.received_date).total_seconds() / 3600,
            })
        self._update_sla_states()

    def _notify_thread(self, message, msg_vals=False, **kwargs):
        recipients = super()._notify_thread(message, msg_vals=msg_vals, **kwargs)
        self._stop_reply_clock_if_sent(message)
        return recipients

    def _stop_reply_clock_if_sent(self, message):
        """The reply clock stops at the first message sent to the guest from the ticket: a
        message (not an internal note) written by an employee that was notified to the guest,
        i.e. to the ticket's guest or to the address an unknown sender wrote from, and that
        can reach them (an e-mail address or an inbox). A scheduled message counts when it is
        sent."""
        tickets = self.filtered(lambda t: not t.first_reply_date)
        if not tickets:
            return
        # sudo: the message just notified, its author's users and its notifications (owned
        # by their recipients) are read only to decide whether the guest received it
        message = message.sudo()
        author = message.author_id
        if (message.message_type != "comment"
                or message.subtype_id != self.env.ref("mail.mt_comment")
                or not any(u._is_internal() for u in author.user_ids)):
            return
        notified = self.env["mail.notification"].sudo().search([  # sudo: see above
            ("mail_message_id", "=", message.id),
            ("notification_status", "not in", ("exception", "canceled")),
        ]).filtered(
            lambda n: n.notification_type == "inbox" or n.res_partner_id.email_normalized
        ).res_partner_id - author
        for ticket in tickets:
            address = tools.email_normalize(ticket.email_from or "")
            if ((ticket.partner_id and ticket.partner_id in notified)
                    or (address and address in notified.mapped("email_normalized"))):
                ticket._record_first_reply(fields.Datetime.now())

    def _message_get_suggested_recipients(self):
        """The chatter's Send message proposes the guest (or the address an unknown sender
        wrote from): the message that stops the reply clock is the one the guest receives."""
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id:
            self._message_add_suggested_recipient(
                recipients, partner=self.partner_id, reason=self.env._("Guest"))
        elif self.email_from:
            self._message_add_suggested_recipient(
                recipients, email=self.email_from, reason=self.env._("Guest E-mail"))
        return recipients

    @api.model
    def _sla_states_sql(self, ids=None, now=None):
        """One UPDATE that sets both clocks' states and the overall state."""
        now = now or fields.Datetime.now()
        only = SQL("AND id = ANY(%s)", list(ids)) if ids is not None else SQL("")

        def clock(deadline, stopped, start):
            return SQL(
                """CASE
                     WHEN %(deadline)s IS NULL THEN NULL
                     WHEN %(stopped)s IS NOT NULL THEN
                          CASE WHEN %(stopped)s <= %(deadline)s THEN 'met' ELSE 'breached' END
                     WHEN %(now)s > %(deadline)s THEN 'breached'
                     WHEN %(now)s >= %(start)s + (%(deadline)s - %(start)s) * %(risk)s
                          THEN 'at_risk'
                     ELSE 'on_track' END""",
                deadline=SQL.identifier(deadline), stopped=SQL.identifier(stopped),
                start=SQL.identifier(start), now=now, risk=AT_RISK,
            )

        reply = clock("reply_deadline", "first_reply_date", "received_date")
        resolve = clock("resolve_deadline", "resolved_date", "opened_date")
        # A breach, once there, stays for the figures: the reply clock's, and the first
        # resolution's (the running clock until the first closing, then that closing's).
        return SQL(
            """
            WITH c AS (
                SELECT id, %(reply)s AS reply, %(resolve)s AS resolve, reply_breached,
                       resolve_breached, first_resolved_date, first_resolve_deadline
                  FROM hotel_feedback
                 WHERE TRUE %(only)s
            ), s AS (
                SELECT id, reply, resolve,
                       COALESCE(reply_breached, FALSE)
                           OR reply IS NOT DISTINCT FROM 'breached' AS reply_breached,
                       COALESCE(resolve_breached, FALSE)
                           OR (first_resolved_date IS NULL
                               AND resolve IS NOT DISTINCT FROM 'breached')
                           OR COALESCE(first_resolved_date > first_resolve_deadline, FALSE)
                           AS resolve_breached
                  FROM c
            )
            UPDATE hotel_feedback t
               SET reply_sla_state = s.reply, resolve_sla_state = s.resolve,
                   reply_breached = s.reply_breached, resolve_breached = s.resolve_breached,
                   sla_state = CASE
                       WHEN 'breached' IN (s.reply, s.resolve) THEN 'breached'
                       WHEN 'at_risk' IN (s.reply, s.resolve) THEN 'at_risk'
                       WHEN s.reply = 'met' AND s.resolve = 'met' THEN 'met'
                       WHEN s.reply IS NULL AND s.resolve IS NULL THEN NULL
                       ELSE 'on_track' END
              FROM s
             WHERE t.id = s.id
               AND (t.reply_sla_state, t.resolve_sla_state, t.reply_breached, t.resolve_breached)
                   IS DISTINCT FROM (s.reply, s.resolve, s.reply_breached, s.resolve_breached)
            """,
            reply=reply, resolve=resolve, only=only,
        )

    def _update_sla_states(self, now=None):
        if not self:
            return
        self.flush_recordset()
        self.env.cr.execute(self._sla_states_sql(self.ids, now))
        self.invalidate_recordset(SLA_STATE_FIELDS)

    @api.model
    def _breached_sql(self, now):
        """Open tickets whose reply or resolution clock ran out and were not escalated."""
        return SQL(
            """
            SELECT id, (first_reply_date IS NULL AND reply_deadline < %(now)s
                        AND NOT COALESCE(reply_escalated, FALSE)) AS reply,
                       (resolved_date IS NULL AND resolve_deadline < %(now)s
                        AND NOT COALESCE(resolve_escalated, FALSE)) AS resolve
              FROM hotel_feedback
             WHERE NOT COALESCE(is_closed, FALSE)
               AND ((first_reply_date IS NULL AND reply_deadline < %(now)s
                     AND NOT COALESCE(reply_escalated, FALSE))
                 OR (resolved_date IS NULL AND resolve_deadline < %(now)s
                     AND NOT COALESCE(resolve_escalated, FALSE)))
             ORDER BY id
            """,
            now=now,
        )

    @api.model
    def _cron_check_sla(self, now=None):
        """Refresh every open ticket's SLA state and escalate each breach exactly once."""
        now = now or fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(self._sla_states_sql(None, now))
        self.invalidate_model(SLA_STATE_FIELDS)
        self.env.cr.execute(self._breached_sql(now))
        rows = self.env.cr.fetchall()
        tickets = self.browse([r[0] for r in rows])
        for (_id, reply, resolve), ticket in zip(rows, tickets, strict=True):
            ticket._escalate(reply=reply, resolve=resolve)
        self.env["ir.cron"]._notify_progress(done=len(rows), remaining=0)
        return tickets

    def _escalate(self, reply, resolve):
        self.ensure_one()
        manager = self.team_id.manager_id
        what = []
        if reply:
            what.append(self.env._("no reply within %(hours)s h", hours=self.sla_id.reply_hours))
        if resolve:
            what.append(self.env._("not resolved within %(hours)s h",
                                   hours=self.sla_id.resolve_hours))
        summary = self.env._("SLA breached: %(what)s", what=", ".join(what))
        vals = {}
        if reply:
            vals["reply_escalated"] = True
        if resolve:
            vals["resolve_escalated"] = True
        self._write_clock(vals)
        if manager:
            self.activity_schedule(
                "hotel_feedback.mail_activity_feedback_escalation",
                summary=summary, user_id=manager.id, date_deadline=fields.Date.today(),
            )
        self.message_post(body=summary, subtype_xmlid="mail.mt_note")

    def _schedule_owner_activity(self):
        for ticket in self.filtered(lambda t: t.user_id and not t.is_closed):
            deadline = ticket.reply_deadline if not ticket.first_reply_date else \
                ticket.resolve_deadline
            ticket.activity_unlink(["hotel_feedback.mail_activity_feedback_owner"])
            ticket.activity_schedule(
                "hotel_feedback.mail_activity_feedback_owner",
                summary=self.env._("Answer the guest"),
                user_id=ticket.user_id.id,
                date_deadline=(deadline or fields.Datetime.now()).date(),
            )

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail to the feedback alias: the sender is matched to a guest by e-mail; an
        unknown sender is kept on the ticket so that staff can create the guest."""
        email = tools.email_normalize(msg_dict.get("email_from") or "")
        partner = self.env["res.partner"]
        # the gateway runs as superuser: match only a guest the ticket's property may see,
        # or the ticket would show another property's guest to its users
        company = (custom_values or {}).get("company_id") or self.env.company.id
        if email:
            partner = partner.search([
                ("email_normalized", "=", email), ("is_company", "=", False),
                "|", "|", ("is_guest", "=", False), ("property_ids", "=", False),
                ("property_ids", "in", [company]),
            ], limit=1)
        body = tools.html2plaintext(msg_dict.get("body") or "").strip()
        values = {
            "name": (msg_dict.get("subject") or "").strip() or self.env._("(no subject)"),
            "description": body or self.env._("(empty message)"),
            "channel": "email",
            "email_from": email or msg_dict.get("email_from"),
            "partner_id": partner.id,
            "user_id": False,
            **(custom_values or {}),
        }
        return super().message_new(msg_dict, custom_values=values)

    def action_create_guest(self):
        """Create the guest proposed by an e-mail from an unknown sender."""
        self.ensure_one()
        if self.partner_id:
            raise UserError(self.env._("This feedback already has a guest."))
        if not self.email_from:
            raise UserError(self.env._("There is no e-mail address to create a guest from."))
        name, email = tools.parse_contact_from_email(self.email_from)
        self.partner_id = self.env["res.partner"].create(
            {"name": name or email, "email": email, "is_guest": True}
        )
        return True

    def action_approve_compensation(self):
        """Guest relations approve a ticket's compensation, once, at their own property (F7)."""
        if not self.env.user.has_group("hotel_crm.group_hotel_guest_relations"):
            raise AccessError(self.env._("Only Guest Relations can approve a compensation."))
        self.check_access("write")
        types = dict(self._fields["compensation_type"]._description_selection(self.env))
        for ticket in self:
            if ticket.company_id not in self.env.companies:
                raise AccessError(self.env._(
                    "A compensation is approved at the ticket's own property."
                ))
            # one approval per ticket, even for two approvals at the same time
            self.env.cr.execute(SQL(
                "SELECT id FROM hotel_feedback WHERE id = %s FOR NO KEY UPDATE", ticket.id
            ))
            ticket.invalidate_recordset(["compensation_approved_by"])
            if not ticket.compensation_type:
                raise UserError(self.env._("Choose the compensation first."))
            if ticket.compensation_approved_by:
                raise UserError(self.env._("This compensation was already approved."))
            ticket._grant_compensation()  # may refuse: nothing is approved then
            ticket._write_clock({"compensation_approved_by": self.env.uid})
            kind = types[ticket.compensation_type]
            value = ticket.compensation_value or ""
            ticket.message_post(
                body=self.env._("Compensation approved: %(type)s %(value)s (cost %(cost)s).",
                                type=kind, value=value, cost=ticket.compensation_cost),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _grant_compensation(self):
        """Hook: the loyalty bridge grants points compensation."""
        return True

    @api.model
    def _demo_reply_and_resolve(self, ticket_ids, user_id):
        """Demo: guest relations answers these tickets and resolves them (SLA met)."""
        user = self.env["res.users"].browse(user_id)
        resolved = self.env.ref("hotel_feedback.stage_resolved")
        for ticket in self.browse(ticket_ids).with_user(user):
            ticket.message_post(
                body=self.env._("Thank you for telling us. We have fixed it and apologise."),
                message_type="comment", subtype_xmlid="mail.mt_comment",
                partner_ids=ticket.partner_id.ids,
            )
            ticket.stage_id = resolved
        return True
