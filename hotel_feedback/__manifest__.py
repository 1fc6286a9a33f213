{
    "name": "Hotel CRM: Guest Feedback and Service Recovery",
    "summary": "Feedback tickets from every channel, two-clock 24 h / 72 h SLAs with escalation, "
    "keyword classification, post-stay surveys and satisfaction figures",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["hotel_crm", "survey", "resource"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/hotel_feedback_groups.xml",
        "security/ir.model.access.csv",
        "security/hotel_feedback_security.xml",
        "data/hotel_feedback_data.xml",
        "data/mail_activity_type_data.xml",
        "data/survey_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "wizard/hotel_review_import_views.xml",
        "views/hotel_feedback_views.xml",
        "views/hotel_feedback_config_views.xml",
        "views/res_partner_views.xml",
        "views/hotel_stay_views.xml",
        "views/hotel_feedback_menus.xml",
    ],
    "demo": [
        "demo/hotel_feedback_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "hotel_feedback/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
