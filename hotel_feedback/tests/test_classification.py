from odoo.tests import tagged

from .common import FeedbackCase


@tagged("post_install", "-at_install")
class TestClassification(FeedbackCase):
    def test_chinese_and_english_feedback_is_classified(self):
        cases = {
            "房间里的毛巾有头发，床单也不干净": self.cleanliness,
            "空调坏了，而且热水不热": self.facilities,
            "早餐的菜都是冷的": self.food,
            "Front desk made us wait 40 minutes at check-in": self.check_in,
            "The shower is leaking and the TV is broken": self.facilities,
            "Breakfast coffee was cold": self.food,
        }
        for text, category in cases.items():
            ticket = self.ticket(name=text)
            self.assertEqual(ticket.category_id, category, text)
            self.assertEqual(ticket.auto_category_id, category)
            self.assertEqual(ticket.team_id, category.team_id)
            self.assertGreater(ticket.classification_confidence, 0.5, text)

    def test_no_keyword_no_category(self):
        ticket = self.ticket(name="Hello", description="")
        self.assertFalse(ticket.category_id)
        self.assertEqual(ticket.classification_confidence, 0.0)

    def test_a_correction_is_counted(self):
        ticket = self.ticket(name="毛巾不干净")
        self.assertFalse(ticket.category_corrected)
        ticket.category_id = self.food
        self.assertTrue(ticket.category_corrected)
        self.assertEqual(ticket.team_id, self.food.team_id)
        kept = self.ticket(name="早餐太冷")
        kept.priority = "2"
        self.assertFalse(kept.category_corrected)
        config = self.env["hotel.feedback.config"]._for_company(self.company)
        today = kept.received_date.date()
        self.assertEqual(config._kpi_figures(today, today)["classification_accuracy"], 50.0)
