{
    "name": "Hotel CRM: Stays from Odoo Hotel Folios",
    "summary": "Every folio of OCA's Hotel Management (hotel) becomes a guest stay of the CRM: "
    "dates, room type, revenue and state kept in step with the folio",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["hotel_crm", "hotel"],
    "data": [
        "data/hotel_booking_channel_data.xml",
        "data/ir_cron_data.xml",
        "views/hotel_stay_views.xml",
        "views/hotel_folio_views.xml",
    ],
    "demo": ["demo/hotel_crm_oca_hotel_demo.xml"],
    "auto_install": True,
    "installable": True,
}
