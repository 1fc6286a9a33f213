import logging
import math
from collections import defaultdict

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.hotel_crm.tools.trusted import check_protected_fields

_logger = logging.getLogger(__name__)

CUSTOMER_DOCUMENTS = ("out_invoice", "out_refund")
# Granted to the points sync only: the flag of a document whose points wait for the job.
POINTS_SYNC = "hotel_loyalty.points_sync"


class AccountMove(models.Model):
    """Points follow a customer invoice through its whole life (L2, DESIGN "Points from
    accounting"): its net points (the sum of its ledger lines) are always what its current
    state says:

    * posted invoice: the points of its revenue lines with the tier multiplier, once;
    * draft, cancelled or deleted invoice: nothing (a reversal line takes them back);
    * posted credit note: minus its share of what its invoice earned (a full one: all of it),
      as long as that invoice is posted; a credit note without an invoice: minus its own
      points; a credit note that is not posted: nothing.

    Each change records the difference as a new line (``source_seq`` counts the moves), so
    posting again after a reset earns again exactly once. A reversal never takes more than
    the member has left (the balance never goes negative): points already redeemed from a
    reversed invoice are lost to the programme, the line's reason says how many, and they
    stay on the invoice's net, so posting it again earns only the difference.

    Points never block accounting: the member rows are locked without waiting, and if the
    points cannot follow at once (a redemption holds the member, a concurrent update) the
    document is flagged and the job ``_cron_hotel_loyalty_sync`` brings its points in line.
    """

    _inherit = "account.move"

    hotel_loyalty_pending = fields.Boolean(
        string="Loyalty Points Pending", readonly=True, copy=False, index="btree_not_null",
        help="The loyalty points of this document could not follow its last change at once; "
        "a scheduled job brings them in line.",
    )

    def write(self, vals):
        check_protected_fields(self, ["hotel_loyalty_pending"], vals, POINTS_SYNC)
        res = super().write(vals)
        if "state" in vals:
            self._hotel_loyalty_follow()
        return res

    def unlink(self):
        # a deleted document keeps no points (a draft has none left unless its last sync is
        # still pending)
        self._hotel_loyalty_follow(gone=True)
        return super().unlink()

    # ------------------------------------------------------------------
    # Points of a document
    # ------------------------------------------------------------------
    def _hotel_line_category(self, line):
        return (
            line.product_id.categ_id.hotel_revenue_category
            or line.account_id.hotel_revenue_category
            or "other"
        )

    def _hotel_member(self):
        self.ensure_one()
        # sudo: accounting users posting invoices need not be loyalty users
        Member = self.env["hotel.loyalty.member"].sudo()
        for partner in (self.partner_id, self.partner_id.commercial_partner_id):
            member = Member.search([("partner_id", "=", partner.id)], limit=1)
            if member:
                return member
        return Member

    def _hotel_points(self, member, sign):
        """Points of this invoice, by revenue category, with the tier multiplier."""
        self.ensure_one()
        program = self.env["hotel.loyalty.program"]._for_company(self.company_id)
        day = self.invoice_date or self.date
        tier = member._tier_on(day)
        multiplier = (tier.point_multiplier or 1.0) if tier else 1.0
        if program.member_day and day.day == program.member_day:
            multiplier *= program.member_day_factor or 1.0
        spend = defaultdict(float)
        for line in self.invoice_line_ids.filtered(lambda ln: ln.display_type == "product"):
            # -balance: revenue in the company currency, positive on an invoice
            spend[self._hotel_line_category(line)] += -line.balance * sign
        points = sum(
            amount * program._earn_rate(category) * multiplier for category, amount in spend.items()
        )
        categories = [c for c, a in spend.items() if a]
        return {
            "points": math.floor(points + 1e-9),
            "base_amount": sum(spend.values()),
            "category": categories[0] if len(categories) == 1 else "mixed",
            "tier_id": tier.id,
            "multiplier": multiplier,
            "date": day,
        }

    # ------------------------------------------------------------------
    # Sync
    # ------------------------------------------------------------------
    def _hotel_loyalty_follow(self, gone=False):
        """Bring the points of these documents in line with their state, from accounting:
        never waits on a member's lock and never fails; what cannot follow now is flagged
        for the job."""
        docs = self.filtered(lambda m: m.move_type in CUSTOMER_DOCUMENTS)
        if not docs:
            return
        self.env.flush_all()  # accounting's own writes are not part of the savepoint below
        try:
            with self.env.cr.savepoint():
                # sudo: points follow the document whoever changes it (L2)
                docs.sudo()._hotel_loyalty_sync(gone=gone, nowait=True)
        except (psycopg2.Error, UserError) as error:  # points never block accounting
            if not gone:
                _logger.info("Loyalty points of %s deferred to the job: %s", docs.ids, error)
                docs._hotel_loyalty_flag_pending(True)
                # the job runs as soon as a cron worker is free (seconds), not at its hour
                # sudo: an accountant wakes the loyalty job (ir.cron is admin only)
                self.env.ref("hotel_loyalty.ir_cron_hotel_loyalty_sync").sudo()._trigger()
                return
            # a deleted document cannot wait for the job: its points are taken back now,
            # waiting for the member's lock if needed (only when a sync of it was pending)
            # sudo: points follow the document whoever deletes it (L2)
            docs.sudo()._hotel_loyalty_sync(gone=gone)

    def _hotel_loyalty_flag_pending(self, pending):
        self.env.cr.execute(SQL(
            "UPDATE account_move SET hotel_loyalty_pending = %s WHERE id = ANY(%s)",
            True if pending else None, self.ids,
        ))
        self.invalidate_recordset(["hotel_loyalty_pending"])

    def _hotel_loyalty_held(self, move_ids):
        """{(move id, member id): [net points, has earned]} and {move id: last posting}."""
        self.env.cr.execute(SQL(
            """
            SELECT res_id, member_id, SUM(points), BOOL_OR(kind = 'earn' AND points > 0)
              FROM hotel_loyalty_ledger
             WHERE res_model = 'account.move' AND res_id = ANY(%(ids)s)
             GROUP BY res_id, member_id
            """, ids=list(move_ids)))
        held = {(move_id, member_id): [net, earned]
                for move_id, member_id, net, earned in self.env.cr.fetchall()}
        self.env.cr.execute(SQL(
            "SELECT res_id, MAX(source_seq) FROM hotel_loyalty_ledger "
            "WHERE res_model = 'account.move' AND res_id = ANY(%s) GROUP BY res_id",
            list(move_ids)))
        return held, dict(self.env.cr.fetchall())

    def _hotel_loyalty_sync(self, gone=False, nowait=False, retro_since=None):
        """Record, for each document and member, the difference between the points the
        document's state says and its net points in the ledger.

        ``gone``: the documents are being deleted (they say nothing). ``retro_since``: an
        enrolment that awards the posted invoices from that date (before the join date).
        Invoices are synced before their credit notes, whose points are a share of theirs;
        the credit notes of an invoice follow it.
        """
        docs = self.filtered(lambda m: m.move_type in CUSTOMER_DOCUMENTS)
        invoices = docs.filtered(lambda m: m.move_type == "out_invoice")
        docs |= invoices.reversal_move_ids.filtered(lambda m: m.move_type == "out_refund")
        if not docs:
            return self.env["hotel.loyalty.ledger"]
        docs = docs.sorted(lambda m: (m.move_type != "out_invoice", m.id))
        gone_ids = set(self.ids) if gone else set()
        origins = docs.reversed_entry_id.filtered(lambda m: m.move_type == "out_invoice")
        related = docs | origins | origins.reversal_move_ids
        members = {move.id: move._hotel_member() for move in docs}
        Ledger = self.env["hotel.loyalty.ledger"]
        self.env.flush_all()
        held, seqs = self._hotel_loyalty_held(related.ids)
        Ledger._lock_members(
            {m.id for m in members.values() if m} | {key[1] for key in held}, nowait=nowait
        )
        held, seqs = self._hotel_loyalty_held(related.ids)  # as of the lock
        # what each document will hold once in line: a credit note's share is taken of what
        # its invoice will hold
        projected = {key: value[0] for key, value in held.items()}
        plan = []
        for move in docs:
            member = members[move.id]
            want, vals = 0, {}
            if member and move.state == "posted" and move.id not in gone_ids:
                want, vals = move._hotel_loyalty_target(
                    member, held, projected, gone_ids, retro_since=retro_since)
            holders = {key[1] for key in held if key[0] == move.id} | set(member.ids)
            for member_id in sorted(holders):
                target = want if member_id == member.id else 0
                diff = target - held.get((move.id, member_id), [0, False])[0]
                projected[(move.id, member_id)] = target
                if diff:
                    plan.append((move, member_id, diff, vals if member_id == member.id else {}))
        # points given back before points taken, so that a reversal finds them
        lines = Ledger.browse()
        for move, member_id, diff, vals in sorted(plan, key=lambda step: step[2] < 0):
            seq = seqs.get(move.id, -1) + 1
            lines |= move._hotel_loyalty_post_diff(member_id, diff, seq, vals, gone_ids)
            seqs[move.id] = seq
        if lines:
            lines.member_id._evaluate_tiers(allow_downgrade=False)
        pending = docs.filtered("hotel_loyalty_pending")
        if pending:
            pending._hotel_loyalty_flag_pending(False)
        return lines

    def _hotel_loyalty_target(self, member, held, projected, gone_ids, retro_since=None):
        """(points, line values) this posted document says for `member` (signed)."""
        self.ensure_one()
        day = self.invoice_date or self.date
        if self.move_type == "out_invoice":
            earned_before = held.get((self.id, member.id), [0, False])[1]
            if member.join_date > day and not earned_before and not (
                retro_since and day >= retro_since
            ):
                return 0, {}
            vals = self._hotel_points(member, sign=1)
            return max(vals["points"], 0), vals
        vals = self._hotel_points(member, sign=-1)
        origin = self.reversed_entry_id
        if origin.move_type != "out_invoice":
            if member.join_date > day:
                return 0, vals
            return -max(vals["points"], 0), vals
        if origin.state != "posted" or origin.id in gone_ids:
            return 0, vals
        # the credited share of what the invoice earned (at the invoice's rate), and never
        # more than its other credit notes left of it
        earned = projected.get((origin.id, member.id), 0)
        spend = origin._hotel_points(member, sign=1)["base_amount"]
        share = min(abs(vals["base_amount"]) / spend, 1.0) if spend > 0 else 0.0
        others = sum(
            projected.get((refund.id, member.id), 0)
            for refund in origin.reversal_move_ids if refund != self
        )
        take = min(math.floor(earned * share + 1e-9), max(earned + others, 0))
        return -max(take, 0), vals

    def _hotel_loyalty_post_diff(self, member_id, diff, seq, vals, gone_ids):
        """One ledger line moving `diff` points for this document (a new posting)."""
        self.ensure_one()
        _ = self.env._
        name = self.name if self.name and self.name != "/" else _("Draft document")
        origin = self.reversed_entry_id
        if self.id in gone_ids:
            reason = _("%(document)s deleted", document=name)
        elif self.state == "draft":
            reason = _("%(document)s reset to draft", document=name)
        elif self.state == "cancel":
            reason = _("%(document)s cancelled", document=name)
        elif self.move_type == "out_refund" and origin and origin.state != "posted":
            reason = _("%(invoice)s is no longer posted", invoice=origin.name)
        elif self.move_type == "out_refund" and origin and diff < 0:
            reason = _("Credit note for %(invoice)s", invoice=origin.name)
        elif seq:
            reason = _("%(document)s posted again", document=name)
        else:
            reason = False
        line = {
            "member_id": member_id,
            "kind": "earn" if diff > 0 else "reversal",
            "points": diff,
            "company_id": self.company_id.id,
            "res_model": "account.move",
            "res_id": self.id,
            "source_seq": seq,
            "source_name": name,
            "reason": reason,
            "base_amount": vals.get("base_amount", 0.0),
            "category": vals.get("category"),
            "tier_id": vals.get("tier_id"),
            "multiplier": vals.get("multiplier", 1.0),
            # points come back dated (and expire) as the document; they go today
            "date": (self.invoice_date or self.date) if diff > 0
            else fields.Date.context_today(self),
        }
        return self.env["hotel.loyalty.ledger"]._post_lines([line], allow_partial=diff < 0)

    # ------------------------------------------------------------------
    # Job
    # ------------------------------------------------------------------
    @api.model
    def _cron_hotel_loyalty_sync(self, limit=500):
        """Bring in line the points of the documents flagged pending (waiting for member
        locks is fine here)."""
        moves = self.search([("hotel_loyalty_pending", "=", True)], limit=limit)
        done = 0
        for move in moves:
            self.env.flush_all()
            try:
                with self.env.cr.savepoint():
                    move._hotel_loyalty_sync()
                done += 1
            except (psycopg2.Error, UserError) as error:
                _logger.warning("Loyalty points of %s still pending: %s", move.display_name,
                                error)
        remaining = self.search_count([("hotel_loyalty_pending", "=", True)])
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
