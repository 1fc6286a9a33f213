{
    "name": "Hotel CRM: Marketing with Guest Feedback",
    "summary": "Survey link in the post-stay thank-you mail; satisfaction, SLA compliance and "
    "online rating in the marketing KPI report",
    "version": "18.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["hotel_marketing", "hotel_feedback"],
    "data": [],
    "demo": ["demo/hotel_marketing_feedback_demo.xml"],
    "auto_install": True,
    "installable": True,
}
