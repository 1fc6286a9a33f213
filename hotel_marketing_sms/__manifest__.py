{
    "name": "Hotel CRM: SMS Marketing",
    "summary": "SMS mailings to guests reach only those with SMS consent and a usable number "
    "that is not blacklisted; holdout and results as for e-mail",
    "version": "18.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "license": "LGPL-3",
    "author": "Hotel CRM Contributors",
    "website": "https://github.com/hotel-crm/hotel-crm",
    "depends": ["hotel_marketing", "mass_mailing_sms"],
    "data": [],
    "demo": ["demo/hotel_marketing_sms_demo.xml"],
    "auto_install": True,
    "installable": True,
}
