from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

# Figures a threshold rule can test, mapped to their res_partner column.
THRESHOLD_FIELDS = [
    ("stays_12m", "Stays (12 Months)"),
    ("nights_12m", "Nights (12 Months)"),
    ("spend_12m", "Spend (12 Months)"),
    ("stay_count", "Lifetime Stays"),
    ("night_count", "Lifetime Nights"),
    ("total_spend", "Lifetime Spend"),
]
OPERATORS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "="}


class HotelGuestTagRule(models.Model):
    _name = "hotel.guest.tag.rule"
    _description = "Guest Tag Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    tag_id = fields.Many2one(
        "res.partner.category",
        required=True,
        ondelete="cascade",
        help="The rule owns this tag: it is added to the guests that match and removed from "
        "the guests that no longer match.",
    )
    rule_type = fields.Selection(
        [("threshold", "Threshold on a figure"), ("domain", "Filter")],
        required=True,
        default="threshold",
    )
    figure = fields.Selection(THRESHOLD_FIELDS, default="stays_12m")
    operator = fields.Selection(
        [(op, op) for op in OPERATORS], default=">="
    )
    threshold = fields.Float(default=0.0)
    domain = fields.Char(default="[]", help="Guests matching this filter get the tag.")
    guest_count = fields.Integer(compute="_compute_guest_count", string="Tagged Guests")

    _sql_constraints = [
        ("tag_unique", "unique(tag_id)", "Another rule already manages this tag."),
    ]

    def _compute_guest_count(self):
        Partner = self.env["res.partner"]
        for rule in self:
            rule.guest_count = Partner.search_count(
                [("is_guest", "=", True), ("category_id", "in", rule.tag_id.ids)]
            )

    @api.constrains("rule_type", "figure", "operator", "domain")
    def _check_rule(self):
        for rule in self:
            if rule.rule_type == "threshold" and not (rule.figure and rule.operator):
                raise ValidationError(
                    self.env._("Rule %(name)s needs a figure and an operator.", name=rule.name)
                )
            if rule.rule_type == "domain":
                try:
                    self.env["res.partner"]._search(rule._get_domain())
                except Exception as exc:
                    raise ValidationError(
                        self.env._(
                            "Rule %(name)s has a filter that cannot be used: %(error)s",
                            name=rule.name,
                            error=exc,
                        )
                    ) from exc

    def _get_domain(self):
        self.ensure_one()
        return safe_eval(self.domain or "[]")

    def _match_sql(self):
        """SQL selecting the ids of the guests this rule tags."""
        self.ensure_one()
        if self.rule_type == "threshold":
            return SQL(
                "SELECT id FROM res_partner WHERE is_guest AND active AND %s %s %s",
                SQL.identifier(self.figure),
                SQL(OPERATORS[self.operator]),
                self.threshold,
            )
        # sudo: a rule tags every matching guest of the group, whatever the properties of the
        # user who triggers it; the domain itself is validated on save.
        query = self.env["res.partner"].sudo().with_context(active_test=True)._search(
            [("is_guest", "=", True), *self._get_domain()]
        )
        return query.select()

    @api.model
    def _apply_rules(self, partner_ids=None, changed_since=None):
        """Add and remove the tags of all active rules; set-based, two statements per rule.

        With ``changed_since`` (the nightly job's mark), ``partner_ids`` are the guests whose
        figures may have changed: a threshold rule on a figure looks at them only, unless
        the rule itself was changed since then; a filter may read anything (a tier, a date,
        another model), so filters are applied to every guest."""
        rules = self.search([])
        self.env["res.partner"].flush_model()
        for rule in rules:
            ids = partner_ids
            if changed_since is not None and (rule.rule_type == "domain"
                                              or rule.write_date >= changed_since):
                ids = None
            only = SQL("AND partner_id = ANY(%s)", list(ids)) if ids is not None else SQL("")
            match = rule._match_sql()
            self.env.cr.execute(
                SQL(
                    """
                    DELETE FROM res_partner_res_partner_category_rel
                     WHERE category_id = %s %s
                       AND partner_id IN (SELECT id FROM res_partner WHERE is_guest)
                       AND partner_id NOT IN (%s)
                    """,
                    rule.tag_id.id,
                    only,
                    match,
                )
            )
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO res_partner_res_partner_category_rel (category_id, partner_id)
                    SELECT %s, m.id FROM (%s) m
                     WHERE TRUE %s
                    ON CONFLICT DO NOTHING
                    """,
                    rule.tag_id.id,
                    match,
                    SQL("AND m.id = ANY(%s)", list(ids)) if ids is not None else SQL(""),
                )
            )
        self.env["res.partner"].invalidate_model(["category_id"])
        self.env["res.partner.category"].invalidate_model(["partner_ids"])
        return True

    def action_apply(self):
        # re-tags every guest of the group: a manager's button, whoever can read the rules
        # could otherwise start it over RPC
        if not self.env.user.has_group("hotel_crm.group_hotel_manager"):
            raise AccessError(self.env._("Only hotel CRM managers can apply tag rules."))
        self._apply_rules()
        return True
