from . import (
    base_partner_merge_automatic_wizard,
    hotel_duplicate_candidate,
    hotel_import_log,
    hotel_import_log_line,
    hotel_import_preset,
    hotel_import_preset_column,
    hotel_import_stage,
    hotel_merge_journal,
    res_company,
    res_config_settings,
    res_partner,
)
