{
    "name": "Hotel CRM: Loyalty Points as Service Recovery",
    "summary": "Compensation in loyalty points on a feedback ticket becomes a bonus ledger line",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["hotel_feedback", "hotel_loyalty"],
    "data": [],
    "demo": ["demo/hotel_feedback_loyalty_demo.xml"],
    "auto_install": True,
    "installable": True,
}
