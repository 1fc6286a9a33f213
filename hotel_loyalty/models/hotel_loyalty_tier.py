from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HotelLoyaltyTier(models.Model):
    _name = "hotel.loyalty.tier"
    _description = "Loyalty Tier"
    _inherit = ["hotel.audited.mixin"]
    _order = "sequence, id"
    # Changes to the tier rules are audited (S4); member tier changes have their own history.
    _hotel_audit_fields = (
        "name", "sequence", "spend_threshold", "stay_threshold", "threshold_strict",
        "qualify_rule", "point_multiplier", "active",
    )

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Tiers are ranked by sequence: the lowest is the entry tier."
    )
    spend_threshold = fields.Float(
        help="Spend over the evaluation window (property currency) from which a member "
        "qualifies for this tier.",
    )
    stay_threshold = fields.Integer(
        help="Stays over the evaluation window from which a member qualifies."
    )
    threshold_strict = fields.Boolean(
        string="Strictly Above Thresholds",
        help="Qualify only with more than the thresholds (the seed's Diamond: more than "
        "20,000 CNY or more than 20 stays), not from the thresholds themselves.",
    )
    qualify_rule = fields.Selection(
        [("or", "Spend or stays"), ("and", "Spend and stays")],
        required=True,
        default="or",
    )
    point_multiplier = fields.Float(default=1.0, help="Points earned are multiplied by this.")
    benefit_ids = fields.Many2many("hotel.loyalty.benefit", string="Benefits")
    color = fields.Integer()
    description = fields.Html(translate=True)
    member_count = fields.Integer(compute="_compute_member_count", string="Members")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "thresholds_check",
            "CHECK(spend_threshold >= 0 AND stay_threshold >= 0 AND point_multiplier > 0)",
            "Thresholds cannot be negative and the point multiplier must be positive.",
        ),
    ]

    def _hotel_audit_partner(self):
        return self.env["res.partner"]

    def _compute_member_count(self):
        counts = dict(
            self.env["hotel.loyalty.member"]._read_group(
                [("tier_id", "in", self.ids)], ["tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.member_count = counts.get(tier, 0)

    @api.constrains("sequence", "spend_threshold", "stay_threshold")
    def _check_ordered(self):
        tiers = self.search([])
        for lower, higher in zip(tiers, tiers[1:], strict=False):
            if (higher.spend_threshold < lower.spend_threshold
                    or higher.stay_threshold < lower.stay_threshold):
                raise ValidationError(
                    self.env._(
                        "Tier %(higher)s ranks above %(lower)s but asks for less. Thresholds "
                        "must grow with the tier sequence.",
                        higher=higher.name,
                        lower=lower.name,
                    )
                )

    def _qualifies(self, spend, stays):
        self.ensure_one()
        if self.threshold_strict:
            by_spend = spend > self.spend_threshold
            by_stays = stays > self.stay_threshold
        else:
            by_spend = spend >= self.spend_threshold
            by_stays = stays >= self.stay_threshold
        return (by_spend and by_stays) if self.qualify_rule == "and" else (by_spend or by_stays)
