{
    "name": "Hotel CRM: Marketing for Loyalty Members",
    "summary": "Tier segments, new-member welcome, win-back of dormant members, birthday "
    "points in the greeting, members' share of revenue in the KPI report, posted invoices "
    "as campaign conversions",
    "version": "18.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["hotel_marketing", "hotel_loyalty"],
    "data": [
        "data/mailing_filter_data.xml",
        "data/mail_template_data.xml",
        "data/hotel_marketing_automation_data.xml",
        "views/account_move_views.xml",
        "views/hotel_marketing_attribution_views.xml",
    ],
    "demo": ["demo/hotel_marketing_loyalty_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "hotel_marketing_loyalty/static/tests/tours/*.js",
        ],
    },
    "auto_install": True,
    "installable": True,
}
