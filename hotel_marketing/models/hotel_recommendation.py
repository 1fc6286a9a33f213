from collections import Counter, defaultdict

from odoo import api, models
from odoo.tools import SQL

from .res_partner import RFM_STATES

# Items a guest can be offered; guest type takes part in the co-occurrence as a feature but
# is never recommended.
FEATURE_PREFIX = "type:"


class HotelRecommendation(models.AbstractModel):
    """Offers a guest is most likely to take (G11): item co-occurrence over guests' stays.

    Items are the room types and rate plans a guest stayed on, whether they spent on F&B and
    on spa/other services, plus their guest type as a feature. A guest's score for an item
    they have not had yet is ``Σ cooc(i, j) / n(i)`` over their items ``i``: how often guests
    who share an item with them also took ``j``. Guests without history get the most popular
    items. ``_hotel_evaluate`` measures it offline on held-out last stays against that
    popularity baseline.
    """

    _name = "hotel.recommendation"
    _description = "Guest Recommendations"

    @api.model
    def _hotel_items_sql(self, before_last=False):
        """(partner_id, item) pairs; ``before_last`` leaves each guest's last stay out."""
        stays = SQL("hotel_stay")
        if before_last:
            stays = SQL(
                """(SELECT * FROM (SELECT s.*, ROW_NUMBER() OVER (
                        PARTITION BY s.partner_id ORDER BY s.check_in DESC, s.id DESC) AS rn
                      FROM hotel_stay s WHERE s.state IN %s) x WHERE x.rn > 1)""",
                RFM_STATES,
            )
        return SQL(
            """
            SELECT s.partner_id, 'room:' || s.room_type_id AS item FROM %(stays)s s
             WHERE s.state IN %(states)s AND s.room_type_id IS NOT NULL
            UNION
            SELECT s.partner_id, 'rate:' || s.rate_plan_id FROM %(stays)s s
             WHERE s.state IN %(states)s AND s.rate_plan_id IS NOT NULL
            UNION
            SELECT s.partner_id, 'fb' FROM %(stays)s s
             WHERE s.state IN %(states)s AND s.amount_fb > 0
            UNION
            SELECT s.partner_id, 'other' FROM %(stays)s s
             WHERE s.state IN %(states)s AND s.amount_other > 0
            UNION
            SELECT p.id, 'type:' || p.guest_type FROM res_partner p
             WHERE p.is_guest AND p.guest_type IS NOT NULL
               AND EXISTS (SELECT 1 FROM hotel_stay s2 WHERE s2.partner_id = p.id)
            """,
            stays=stays,
            states=RFM_STATES,
        )

    @api.model
    def _hotel_recommend(self, partner_id, limit=3):
        """Item keys recommended to one guest, best first (one SQL statement)."""
        self.env["hotel.stay"].flush_model()
        self.env["res.partner"].flush_model(["guest_type", "is_guest"])
        self.env.cr.execute(
            SQL(
                """
                WITH items AS (%(items)s),
                mine AS (SELECT item FROM items WHERE partner_id = %(pid)s),
                n AS (SELECT item, COUNT(*) AS n FROM items
                       WHERE item IN (SELECT item FROM mine) GROUP BY item),
                scored AS (
                    SELECT b.item, SUM(1.0 / n.n) AS score
                      FROM items a
                      JOIN n ON n.item = a.item
                      JOIN items b ON b.partner_id = a.partner_id
                     WHERE a.partner_id <> %(pid)s
                       AND b.item NOT IN (SELECT item FROM mine)
                     GROUP BY b.item
                    UNION ALL
                    SELECT item, COUNT(*)::numeric / 1e9 FROM items
                     WHERE item NOT IN (SELECT item FROM mine)
                     GROUP BY item
                )
                SELECT item FROM scored WHERE item NOT LIKE %(feature)s
                 GROUP BY item ORDER BY SUM(score) DESC, item LIMIT %(limit)s
                """,
                items=self._hotel_items_sql(),
                pid=partner_id,
                limit=limit,
                feature=FEATURE_PREFIX + "%",
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _hotel_item_labels(self, keys):
        labels = {}
        room_ids = [int(k[5:]) for k in keys if k.startswith("room:")]
        rate_ids = [int(k[5:]) for k in keys if k.startswith("rate:")]
        # sudo: only the names of room types and rate plans, shown on the guest
        rooms = {r.id: r.name for r in self.env["hotel.crm.room.type"].sudo().browse(room_ids)}
        rates = {r.id: r.name for r in self.env["hotel.rate.plan"].sudo().browse(rate_ids)}
        for key in keys:
            if key.startswith("room:"):
                labels[key] = self.env._("Room: %(name)s", name=rooms.get(int(key[5:]), ""))
            elif key.startswith("rate:"):
                labels[key] = self.env._("Offer: %(name)s", name=rates.get(int(key[5:]), ""))
            elif key == "fb":
                labels[key] = self.env._("Dining (restaurant and bar)")
            elif key == "other":
                labels[key] = self.env._("Spa and wellness")
            else:
                labels[key] = key
        return labels

    # ------------------------------------------------------------------
    # Offline evaluation
    # ------------------------------------------------------------------
    @staticmethod
    def _score(guest_items, cooc, counts, popularity, limit):
        scores = defaultdict(float)
        for i in guest_items:
            n = counts.get(i)
            if not n:
                continue
            for j, c in cooc[i].items():
                if j not in guest_items:
                    scores[j] += c / n
        for j, pop in popularity.items():
            if j not in guest_items:
                scores[j] += pop / 1e9  # ties and cold start fall back to popularity
        ranked = sorted(
            (j for j in scores if not j.startswith(FEATURE_PREFIX)),
            key=lambda j: (-scores[j], j),
        )
        return ranked[:limit]

    @api.model
    def _hotel_evaluate(self, limit=3):
        """Hit rate at ``limit`` on each returning guest's last stay, held out.

        Training data: every guest's items without their last stay. A guest counts when the
        held-out stay brings at least one item they had not had before; a hit is one of those
        new items among the ``limit`` recommendations. Returns the model's and the popularity
        baseline's hit rates and the number of guests evaluated.
        """
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(self._hotel_items_sql(before_last=True))
        history = defaultdict(set)
        for partner_id, item in cr.fetchall():
            history[partner_id].add(item)
        cr.execute(self._hotel_items_sql())
        everything = defaultdict(set)
        for partner_id, item in cr.fetchall():
            everything[partner_id].add(item)
        counts = Counter()
        cooc = defaultdict(Counter)
        for items in history.values():
            for i in items:
                counts[i] += 1
                for j in items:
                    if i != j:
                        cooc[i][j] += 1
        popularity = {i: c for i, c in counts.items() if not i.startswith(FEATURE_PREFIX)}
        popular = sorted(popularity, key=lambda j: (-popularity[j], j))
        evaluated = model_hits = popular_hits = 0
        for partner_id, past in history.items():
            if not any(not i.startswith(FEATURE_PREFIX) for i in past):
                continue  # a single stay: nothing to learn from
            new = {i for i in everything[partner_id] - past if not i.startswith(FEATURE_PREFIX)}
            if not new:
                continue
            evaluated += 1
            if new & set(self._score(past, cooc, counts, popularity, limit)):
                model_hits += 1
            if new & set([j for j in popular if j not in past][:limit]):
                popular_hits += 1
        return {
            "guests": evaluated,
            "model_hit_rate": 100.0 * model_hits / evaluated if evaluated else 0.0,
            "popularity_hit_rate": 100.0 * popular_hits / evaluated if evaluated else 0.0,
        }
