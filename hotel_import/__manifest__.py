{
    "name": "Hotel CRM: Guest Import, Duplicates and Merge",
    "summary": "Import guests and stays from PMS and OTA exports with a dry run, clean them, "
    "find duplicate guests and merge them with a journal that can be undone",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["hotel_crm", "phone_validation"],
    "external_dependencies": {"python": ["phonenumbers", "xlsxwriter", "openpyxl", "pypinyin"]},
    "data": [
        "security/ir.model.access.csv",
        "security/hotel_import_security.xml",
        "data/hotel_import_preset_data.xml",
        "data/ir_cron_data.xml",
        "wizard/hotel_import_wizard_views.xml",
        "views/hotel_import_log_views.xml",
        "views/hotel_import_preset_views.xml",
        "views/hotel_duplicate_candidate_views.xml",
        "views/hotel_merge_journal_views.xml",
        "views/res_partner_views.xml",
        "views/res_company_views.xml",
        "views/res_config_settings_views.xml",
        "views/hotel_import_menus.xml",
    ],
    "demo": [
        "demo/hotel_import_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "hotel_import/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
