{
    "name": "Hotel CRM: Guest Profiles and Stays",
    "summary": "One profile per guest: preferences, stay history from every channel, "
    "lifetime and rolling-12-month figures, rule-driven tags, per-property access",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["contacts", "mail", "utm"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/hotel_crm_groups.xml",
        "security/ir.model.access.csv",
        "security/hotel_crm_security.xml",
        "data/hotel_booking_channel_data.xml",
        "data/hotel_reference_data.xml",
        "data/hotel_guest_tag_rule_data.xml",
        "data/ir_cron_data.xml",
        "views/hotel_stay_views.xml",
        "views/res_partner_views.xml",
        "views/hotel_guest_preference_views.xml",
        "views/hotel_config_views.xml",
        "views/hotel_guest_tag_rule_views.xml",
        "views/hotel_privacy_views.xml",
        "views/hotel_job_views.xml",
        "views/hotel_crm_menus.xml",
    ],
    "demo": [
        "demo/hotel_crm_guest_demo.xml",
        "demo/hotel_crm_consent_demo.xml",
        "demo/hotel_crm_users_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "hotel_crm/static/src/js/hotel_job_progress.js",
        ],
        "web.assets_tests": [
            "hotel_crm/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
