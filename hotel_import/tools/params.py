def days_param(env, key, default):
    """A number of days kept as a system parameter (set in the settings); a value that is
    not a whole number falls back to ``default``, a negative one counts as 0."""
    # sudo: these periods are system parameters the merging users and nightly jobs need
    value = env["ir.config_parameter"].sudo().get_param(key, default)
    try:
        return max(int(value), 0)
    except ValueError:
        return default


def int_param(env, key, default):
    """A positive whole number kept as a system parameter; anything else is ``default``."""
    # sudo: a system parameter the importing users need
    value = env["ir.config_parameter"].sudo().get_param(key, default)
    try:
        value = int(value)
    except ValueError:
        return default
    return value if value > 0 else default
