"""What only the addons' own code may do, out of reach of any caller of the external API.

A context key is input: an XML-RPC or JSON-RPC client sets any key it likes, so a context
key never grants anything. What the addons' own logic may do and a user may not (write a
derived figure, a clock, a state or a balance; leave its own erasure out of the audit
trail) is marked by a flag of the running Python code, set only by a ``with trusted(…)``
block around that logic::

    with trusted("hotel_loyalty.member_figures"):
        member.write({"tier_id": tier.id})

The flag lives in a context variable: it holds for the block and what the block calls, in
this thread only, and is gone when the block ends, even on an exception. Code running as
superuser (``sudo()``, which no RPC caller can reach) is trusted too.
"""
import contextlib
import contextvars

from odoo.exceptions import AccessError

_granted = contextvars.ContextVar("hotel_trusted", default=frozenset())


@contextlib.contextmanager
def trusted(*reasons):
    """Grant ``reasons`` to the code inside the block (and to nothing after it)."""
    token = _granted.set(_granted.get() | frozenset(reasons))
    try:
        yield
    finally:
        _granted.reset(token)


def is_trusted(env, reason):
    """True inside ``trusted(reason)`` or for superuser code; never from a context key."""
    return env.su or reason in _granted.get()


def _is_empty(value):
    """A value a new record has anyway: nothing, zero, or x2many commands that link nothing."""
    if isinstance(value, (list, tuple)):
        return all(isinstance(cmd, (list, tuple)) and (
            cmd[0] == 5 or (cmd[0] == 6 and not cmd[2])) for cmd in value)
    return not value


def check_protected_fields(records, fields, vals, reason, empty_ok=False):
    """Refuse to write ``fields`` (names) of ``records`` with ``vals`` outside the addons'
    own logic: those values are derived (figures, clocks, states, balances, consent) and a
    user who could write them could rewrite what measures them.

    ``empty_ok`` (for a create): an empty value of a field that is not computed is what the
    new record starts with anyway, as Odoo passes it when it creates a record through another
    (a user's partner gets the partner defaults, figures at zero). A computed field given at
    create would not be computed, so it is refused even empty."""
    touched = sorted(name for name in set(vals) & set(fields)
                     if not (empty_ok and not records._fields[name].compute
                             and _is_empty(vals[name])))
    if not touched or is_trusted(records.env, reason):
        return
    labels = ", ".join(records._fields[name]._description_string(records.env)
                       for name in touched)
    raise AccessError(records.env._(
        "%(fields)s of %(model)s are set by the hotel CRM itself and cannot be written "
        "directly.", fields=labels, model=records._description,
    ))
