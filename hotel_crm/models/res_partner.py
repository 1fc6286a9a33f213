from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..tools.nightly import NightlyMark, retry_on_conflict
from ..tools.trusted import check_protected_fields, is_trusted
from .hotel_stay import COUNTED_STATES

CONSENT_STATES = [("granted", "Granted"), ("withdrawn", "Withdrawn")]

# Stored guest figures written by _hotel_recompute_figures (one SQL pass).
FIGURE_FIELDS = (
    "stay_count",
    "night_count",
    "total_spend",
    "stays_12m",
    "nights_12m",
    "spend_12m",
    "first_stay_date",
    "last_stay_date",
    "avg_lead_days",
    "avg_los",
    "preferred_room_type_id",
    "preferred_channel_id",
)
# Stored values derived from the guest's stays, consent history and e-mail: written by the
# addons' own code (SQL, the ORM's recomputation, or inside trusted("hotel_crm.guest_derived")),
# never by a caller. property_ids decides which properties see the guest; the consent states
# decide who is mailed (consent changes only through hotel.guest.consent records).
PROTECTED_FIELDS = (
    *FIGURE_FIELDS,
    "property_ids",
    "is_relay_email",
    "birthday_month",
    "email_consent",
    "email_consent_date",
    "sms_consent",
    "sms_consent_date",
)


# guests per batch of the recompute-all job (a few seconds each at chain scale)
RECOMPUTE_BATCH = 20_000


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_guest = fields.Boolean(string="Is a Guest", index=True, tracking=True)
    guest_type = fields.Selection(
        [
            ("business", "Business"),
            ("leisure", "Leisure"),
            ("family", "Family"),
            ("group", "Group"),
        ],
        tracking=True,
    )
    birthday = fields.Date(tracking=True)
    birthday_month = fields.Integer(compute="_compute_birthday_month", store=True, index=True)
    nationality_id = fields.Many2one("res.country", tracking=True)
    is_vip = fields.Boolean(string="VIP", tracking=True, index=True)
    hotel_preference_ids = fields.One2many(
        "hotel.guest.preference", "partner_id", string="Preferences"
    )
    property_ids = fields.Many2many(
        "res.company",
        "hotel_guest_property_rel",
        "partner_id",
        "company_id",
        string="Properties Stayed",
        readonly=True,
        copy=False,
        help="Properties at which the guest has a stay; "
        "users of these properties can see the guest.",
    )
    hotel_stay_ids = fields.One2many("hotel.stay", "partner_id", string="Stay History")
    # Figures (G4): maintained in SQL, see _hotel_recompute_figures.
    figure_currency_id = fields.Many2one(
        "res.currency", compute="_compute_figure_currency_id", string="Figures Currency"
    )
    stay_count = fields.Integer(string="Stays", readonly=True, default=0, copy=False)
    night_count = fields.Integer(string="Nights", readonly=True, default=0, copy=False)
    total_spend = fields.Monetary(
        string="Lifetime Spend", currency_field="figure_currency_id", readonly=True, default=0.0,
        copy=False,
    )
    stays_12m = fields.Integer(string="Stays (12 Months)", readonly=True, default=0, copy=False)
    nights_12m = fields.Integer(string="Nights (12 Months)", readonly=True, default=0,
                                copy=False)
    spend_12m = fields.Monetary(
        string="Spend (12 Months)", currency_field="figure_currency_id", readonly=True, default=0.0,
        copy=False,
    )
    first_stay_date = fields.Date(string="First Stay", readonly=True, copy=False)
    last_stay_date = fields.Date(string="Last Stay", readonly=True, index=True, copy=False)
    avg_lead_days = fields.Float(string="Average Lead Time (days)", readonly=True, digits=(16, 1),
                                 copy=False)
    avg_los = fields.Float(string="Average Length of Stay", readonly=True,
                           digits=(16, 1), copy=False)
    preferred_room_type_id = fields.Many2one(
        "hotel.crm.room.type", readonly=True, copy=False
    )
    preferred_channel_id = fields.Many2one(
        "hotel.booking.channel", readonly=True, copy=False
    )
    days_since_last_stay = fields.Integer(
        compute="_compute_days_since_last_stay"
    )
    # Consent per channel (M5): the latest decision of the guest's consent history.
    hotel_consent_ids = fields.One2many(
        "hotel.guest.consent", "partner_id", string="Consent History"
    )
    email_consent = fields.Selection(
        CONSENT_STATES, string="E-mail Consent", compute="_compute_consent", store=True,
        index=True, help="Marketing and automated e-mails go only to guests who granted "
        "consent, never to blacklisted or OTA relay addresses.",
    )
    email_consent_date = fields.Datetime(
        string="E-mail Consent Date", compute="_compute_consent", store=True
    )
    sms_consent = fields.Selection(
        CONSENT_STATES, string="SMS Consent", compute="_compute_consent", store=True, index=True
    )
    sms_consent_date = fields.Datetime(
        string="SMS Consent Date", compute="_compute_consent", store=True
    )
    is_relay_email = fields.Boolean(
        string="OTA Relay Address", compute="_compute_is_relay_email", store=True, index=True,
        help="The e-mail is an address an OTA relays to the guest: it is never used for "
        "marketing or to recognise the guest.",
    )

    def init(self):
        res = super().init()
        # the nightly figures job looks for the guests written since its last run
        create_index(self.env.cr, "res_partner_hotel_guest_write_date_idx", self._table,
                     ["write_date"], where="is_guest")
        return res

    @api.depends("birthday")
    def _compute_birthday_month(self):
        for partner in self:
            partner.birthday_month = partner.birthday.month if partner.birthday else 0

    @api.depends("hotel_consent_ids.channel", "hotel_consent_ids.granted",
                 "hotel_consent_ids.date")
    def _compute_consent(self):
        for partner in self:
            for channel in ("email", "sms"):
                latest = partner.hotel_consent_ids.filtered(lambda c, ch=channel: c.channel == ch)
                latest = latest.sorted(lambda c: (c.date, c.id))[-1:]
                partner[f"{channel}_consent"] = (
                    (latest.granted and "granted" or "withdrawn") if latest else False
                )
                partner[f"{channel}_consent_date"] = latest.date

    @api.depends("email")
    def _compute_is_relay_email(self):
        # sudo: relay domains are configuration any user's guest needs
        domains = self.env["hotel.booking.channel"].sudo()._relay_domains()
        for partner in self:
            email = (partner.email or "").strip().lower()
            domain = email.rpartition("@")[2].rstrip(">")
            partner.is_relay_email = bool(domain) and any(
                domain == d or domain.endswith("." + d) for d in domains
            )

    def _compute_figure_currency_id(self):
        # Figures are summed from each stay's amount in its property's currency; a hotel group
        # runs its properties in one currency (CNY in the shipped setup).
        for partner in self:
            partner.figure_currency_id = self.env.company.currency_id

    @api.depends("last_stay_date")
    def _compute_days_since_last_stay(self):
        today = fields.Date.context_today(self)
        for partner in self:
            partner.days_since_last_stay = (
                (today - partner.last_stay_date).days if partner.last_stay_date else 0
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_protected_fields(self, PROTECTED_FIELDS, vals, "hotel_crm.guest_derived",
                                   empty_ok=True)
        partners = super().create(vals_list)
        guests = partners.filtered("is_guest")
        if guests:
            # sudo: tags are owned by their rules, not by the user creating the guest
            self.env["hotel.guest.tag.rule"].sudo()._apply_rules(guests.ids)
        return partners

    def write(self, vals):
        check_protected_fields(self, PROTECTED_FIELDS, vals, "hotel_crm.guest_derived")
        res = super().write(vals)
        if {"is_guest", "is_vip", "guest_type", "active"} & set(vals):
            # sudo: tags are owned by their rules, not by the user editing the guest
            self.env["hotel.guest.tag.rule"].sudo()._apply_rules(self.ids)
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_hotel_stays(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("hotel_crm.hotel_stay_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_hotel_refresh_figures(self):
        # callable over RPC with any ids: only hotel users, only guests they may read
        if not self.env.user.has_group("hotel_crm.group_hotel_user"):
            raise AccessError(self.env._("Only hotel CRM users can refresh guest figures."))
        self.check_access("read")
        self._hotel_refresh_guests()
        return True

    # ------------------------------------------------------------------
    # Consent (M5)
    # ------------------------------------------------------------------
    def _hotel_set_consent(self, channel, granted, source, proof=None, date=None):
        """Record one consent decision per partner of ``self`` for ``channel``."""
        if channel not in dict(self.env["hotel.guest.consent"]._fields["channel"].selection):
            raise UserError(self.env._("Unknown consent channel: %s", channel))
        return self.env["hotel.guest.consent"].create([
            {
                "partner_id": partner.id,
                "channel": channel,
                "granted": bool(granted),
                "source": source,
                "proof": proof or False,
                "date": date or fields.Datetime.now(),
            }
            for partner in self
        ])

    @api.model
    def _hotel_mailable_domain(self, channel="email"):
        """Guests that may receive marketing or automated messages on ``channel``.

        Odoo's blacklist always wins over consent, and OTA relay addresses are never mailed.
        """
        if channel == "sms":
            domain = [("sms_consent", "=", "granted"), ("mobile", "!=", False)]
            if "phone_sanitized_blacklisted" in self._fields:  # the sms addon is installed
                domain.append(("phone_sanitized_blacklisted", "=", False))
            return domain
        return [
            ("email_consent", "=", "granted"),
            ("email", "!=", False),
            ("is_blacklisted", "=", False),
            ("is_relay_email", "=", False),
        ]

    # ------------------------------------------------------------------
    # Set-based figures (G4) and tags (G5)
    # ------------------------------------------------------------------
    @api.model
    def _hotel_figures_sql(self, today, partner_ids=None):
        """The single UPDATE that stores every figure of FIGURE_FIELDS.

        :param today: reference date of the rolling 12-month window
        :param partner_ids: restrict to these guests; None means every guest
        """
        since = today - relativedelta(months=12)
        only = SQL("")
        only_stays = SQL("")
        if partner_ids is not None:
            only = SQL("AND g.id = ANY(%s)", list(partner_ids))
            only_stays = SQL("AND s.partner_id = ANY(%s)", list(partner_ids))
        return SQL(
            """
            UPDATE res_partner p
               SET stay_count = f.stay_count,
                   night_count = f.night_count,
                   total_spend = f.total_spend,
                   stays_12m = f.stays_12m,
                   nights_12m = f.nights_12m,
                   spend_12m = f.spend_12m,
                   first_stay_date = f.first_stay_date,
                   last_stay_date = f.last_stay_date,
                   avg_lead_days = f.avg_lead_days,
                   avg_los = f.avg_los,
                   preferred_room_type_id = f.preferred_room_type_id,
                   preferred_channel_id = f.preferred_channel_id
              FROM (
                    SELECT g.id AS partner_id,
                           COALESCE(a.stay_count, 0) AS stay_count,
                           COALESCE(a.night_count, 0) AS night_count,
                           COALESCE(a.total_spend, 0) AS total_spend,
                           COALESCE(a.stays_12m, 0) AS stays_12m,
                           COALESCE(a.nights_12m, 0) AS nights_12m,
                           COALESCE(a.spend_12m, 0) AS spend_12m,
                           a.first_stay_date, a.last_stay_date,
                           a.avg_lead_days, a.avg_los,
                           a.preferred_room_type_id, a.preferred_channel_id
                      FROM res_partner g
                      LEFT JOIN (
                            SELECT s.partner_id,
                                   COUNT(*) AS stay_count,
                                   SUM(s.nights) AS night_count,
                                   SUM(s.amount_company) AS total_spend,
                                   COUNT(*) FILTER (WHERE s.check_out >= %(since)s) AS stays_12m,
                                   SUM(s.nights) FILTER (WHERE s.check_out >= %(since)s)
                                       AS nights_12m,
                                   SUM(s.amount_company) FILTER (WHERE s.check_out >= %(since)s)
                                       AS spend_12m,
                                   MIN(s.check_in) AS first_stay_date,
                                   MAX(s.check_in) AS last_stay_date,
                                   ROUND(AVG(s.lead_days), 1) AS avg_lead_days,
                                   ROUND(AVG(s.nights), 1) AS avg_los,
                                   MODE() WITHIN GROUP (ORDER BY s.room_type_id)
                                       AS preferred_room_type_id,
                                   MODE() WITHIN GROUP (ORDER BY s.channel_id)
                                       AS preferred_channel_id
                              FROM hotel_stay s
                             WHERE s.state IN %(states)s %(only_stays)s
                             GROUP BY s.partner_id
                      ) a ON a.partner_id = g.id
                     WHERE g.is_guest %(only)s
              ) f
             WHERE p.id = f.partner_id
               AND (p.stay_count, p.night_count, p.total_spend, p.stays_12m, p.nights_12m,
                    p.spend_12m, p.first_stay_date, p.last_stay_date, p.avg_lead_days,
                    p.avg_los, p.preferred_room_type_id, p.preferred_channel_id)
                   IS DISTINCT FROM
                   (f.stay_count, f.night_count, f.total_spend, f.stays_12m, f.nights_12m,
                    f.spend_12m, f.first_stay_date, f.last_stay_date, f.avg_lead_days,
                    f.avg_los, f.preferred_room_type_id, f.preferred_channel_id)
            """,
            since=since,
            states=COUNTED_STATES,
            only=only,
            only_stays=only_stays,
        )

    @api.model
    def _hotel_figures_from_stays(self, stays, today=None, since=None):
        """The figures _hotel_figures_sql stores for a guest whose stays are ``stays``
        (dicts of stay values: state, check_in, check_out, nights, lead_days, amount_company,
        room_type_id, channel_id), for stays not stored yet: an import writes the figures of
        its new guests with the guests, so the UPDATE that follows finds nothing to rewrite.
        Same rules as the SQL: counted states only, ROUND(AVG(…), 1) half away from zero,
        the mode ignores empty values and takes the smallest of equally frequent ones.
        The 12-month window starts at ``since``, else 12 months before ``today`` (the
        user's today when neither is given), as in _hotel_recompute_figures."""
        if not since:
            since = (today or fields.Date.context_today(self)) - relativedelta(months=12)
        # one pass over the stays (an import computes this for each of its new guests)
        count = nights = lead_days = count_12m = nights_12m = 0
        spend = spend_12m = 0.0
        first = last = False
        room_types, channels = {}, {}
        for stay in stays:
            if stay["state"] not in COUNTED_STATES:
                continue
            count += 1
            nights += stay["nights"]
            lead_days += stay["lead_days"]
            spend += stay["amount_company"]
            check_in = stay["check_in"]
            if not first or check_in < first:
                first = check_in
            if not last or check_in > last:
                last = check_in
            if stay["check_out"] >= since:
                count_12m += 1
                nights_12m += stay["nights"]
                spend_12m += stay["amount_company"]
            if stay["room_type_id"]:
                room_types[stay["room_type_id"]] = room_types.get(stay["room_type_id"], 0) + 1
            if stay["channel_id"]:
                channels[stay["channel_id"]] = channels.get(stay["channel_id"], 0) + 1

        def average(total):
            if not count:
                return False
            if total.__class__ is int:
                # exact: tenths rounded half away from zero
                tenths = (20 * abs(total) + count) // (2 * count)
                return (tenths if total >= 0 else -tenths) / 10
            mean = Decimal(total) / count
            return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

        def mode(counts):
            if not counts:
                return False
            best = max(counts.values())
            return min(v for v, n in counts.items() if n == best)

        return {
            "stay_count": count,
            "night_count": nights,
            "total_spend": round(spend, 2),
            "stays_12m": count_12m,
            "nights_12m": nights_12m,
            "spend_12m": round(spend_12m, 2),
            "first_stay_date": first,
            "last_stay_date": last,
            "avg_lead_days": average(lead_days),
            "avg_los": average(nights),
            "preferred_room_type_id": mode(room_types),
            "preferred_channel_id": mode(channels),
        }

    @api.model
    def _hotel_recompute_figures(self, partner_ids=None, today=None):
        """Recompute and store the figures of the given guests (all guests when None).

        One UPDATE … FROM (SELECT … GROUP BY) for the figures and two statements for the
        properties a guest is visible to. Returns the number of guests whose figures changed.

        Guests in context key ``hotel_figures_current`` (a frozenset of ids) had their
        figures written with them from the same stays (an import's new guests, see
        _hotel_figures_from_stays): only their properties are recomputed. The key is read
        only inside ``trusted("hotel_crm.figures_current")`` (the import's own code): any
        caller can put a key in the context, and a forged one would leave figures stale.
        """
        today = today or fields.Date.context_today(self)
        self.env["hotel.stay"].flush_model()
        self.flush_model(["is_guest"])
        figure_ids = partner_ids
        current = self.env.context.get("hotel_figures_current")
        # the flag (or the superuser account itself), not sudo(): sudo code keeps the
        # context of the user who called it
        if current and not is_trusted(self.env(su=False), "hotel_crm.figures_current"):
            current = None
        if current and partner_ids is not None:
            figure_ids = [pid for pid in partner_ids if pid not in current]
        changed = 0
        if figure_ids is None or figure_ids:
            # a conflict with a user's write is the caller's to retry (retry_on_conflict),
            # not an ERROR line of the server log
            self.env.cr.execute(self._hotel_figures_sql(today, figure_ids), log_exceptions=False)
            changed = self.env.cr.rowcount
        self._hotel_recompute_properties(partner_ids)
        self.invalidate_model([*FIGURE_FIELDS, "property_ids"])
        return changed

    @api.model
    def _hotel_recompute_properties(self, partner_ids=None):
        only = SQL("")
        only_stays = SQL("")
        if partner_ids is not None:
            only = SQL("AND r.partner_id = ANY(%s)", list(partner_ids))
            only_stays = SQL("AND s.partner_id = ANY(%s)", list(partner_ids))
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM hotel_guest_property_rel r
                 WHERE NOT EXISTS (SELECT 1 FROM hotel_stay s
                                    WHERE s.partner_id = r.partner_id
                                      AND s.company_id = r.company_id) %s
                """,
                only,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO hotel_guest_property_rel (partner_id, company_id)
                SELECT DISTINCT s.partner_id, s.company_id FROM hotel_stay s
                 WHERE TRUE %s
                ON CONFLICT DO NOTHING
                """,
                only_stays,
            )
        )

    def _hotel_refresh_guests(self):
        """Keep figures, properties and tags of these guests current after a change."""
        guests = self.filtered("id")
        if not guests:
            return
        self._hotel_recompute_figures(guests.ids)
        # sudo: tags are owned by their rules, not by the user recording the stay
        self.env["hotel.guest.tag.rule"].sudo()._apply_rules(guests.ids)

    def _hotel_refresh_derived(self):
        """Recompute everything derived from these partners' stays (figures, properties,
        tags): called after references moved between profiles (guest merge and unmerge).
        Addons extend it with their own derived data (loyalty tier and balance)."""
        self._hotel_refresh_guests()
        return True

    @api.model
    def action_hotel_recompute_all(self):
        """Recompute the figures and tags of every guest, in the background (at chain scale
        one pass takes longer than a request may)."""
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only hotel CRM managers recompute all guests."))
        # sudo: the count of every guest, whoever's property
        total = self.sudo().search_count([("is_guest", "=", True)])
        job = self.env["hotel.job"]._enqueue(
            self.browse(), "_hotel_job_recompute_all",
            self.env._("Recompute figures and tags of all guests"), total=total,
            payload={"after": 0})
        return job.action_open()

    @api.model
    def _hotel_job_recompute_all(self, job):
        """One batch of guests (by id) of the recompute-all job."""
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only hotel CRM managers recompute all guests."))
        payload = dict(job.payload)
        self.env.cr.execute(SQL(
            "SELECT id FROM res_partner WHERE is_guest AND id > %s ORDER BY id LIMIT %s",
            payload["after"], RECOMPUTE_BATCH))
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            return True
        # sudo: figures and tags of every guest, as the nightly job writes them
        self.sudo()._hotel_recompute_figures(ids)
        self.env["hotel.guest.tag.rule"].sudo()._apply_rules(ids)
        payload["after"] = ids[-1]
        job._progress(done=job.done + len(ids), payload=payload,
                      stage=self.env._("Guests recomputed"))
        return False

    @api.model
    def _cron_hotel_recompute_figures(self, today=None):
        """Nightly job: figures and tags of the guests whose figures may have changed since
        the last run (every guest on the first run), one SQL pass each."""
        return retry_on_conflict(self.env, lambda: self._hotel_nightly_figures(today))

    @api.model
    def _hotel_nightly_figures(self, today=None):
        today = today or fields.Date.context_today(self)
        mark = NightlyMark(self.env, "figures")
        ids = None if mark.full else self._hotel_nightly_guest_ids(mark, today)
        changed = self._hotel_recompute_figures(ids, today=today)
        self.env["ir.cron"]._notify_progress(done=1, remaining=1)
        self.env["hotel.guest.tag.rule"]._apply_rules(ids, changed_since=mark.since)
        self.env["ir.cron"]._notify_progress(done=2, remaining=0)
        mark.save(today)
        return changed

    @api.model
    def _hotel_nightly_guest_ids(self, mark, today):
        """Guests whose figures may differ from those stored: their stays or their profile
        were written since ``mark``, or one of their stays left the rolling 12-month window
        between the mark's day and ``today``. (A stay's change refreshes its guest at once;
        this catches what a crash or a direct SQL write left behind, and the calendar.)"""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            SELECT partner_id FROM hotel_stay WHERE write_date >= %(since)s
             UNION
            SELECT partner_id FROM hotel_stay
             WHERE check_out >= %(left_from)s AND check_out < %(left_to)s
             UNION
            SELECT id FROM res_partner WHERE is_guest AND write_date >= %(since)s
            """,
            since=mark.since,
            left_from=mark.day - relativedelta(months=12),
            left_to=today - relativedelta(months=12),
        ))
        return [row[0] for row in self.env.cr.fetchall()]
