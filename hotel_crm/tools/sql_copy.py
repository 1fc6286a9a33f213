"""Set-based inserts with PostgreSQL's COPY, for the bulk paths (import, audit trail).

COPY reads rows already converted to column text: no statement or JSON document is parsed
per batch. The rows are made while they are sent (:class:`CopyLines`), so PostgreSQL stores
the first rows while Python converts the next ones, on another core.
"""
import itertools
import json
import re

import psycopg2.extensions

from odoo.tools import SQL

# characters asked of a CopyLines per read (about a thousand rows)
COPY_CHUNK = 1 << 18

COPY_SPECIAL = re.compile(r"[\\\t\n\r]").search
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value):
    """A column value (as the ORM's ``convert_to_column`` gives it) in PostgreSQL's COPY
    text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if hasattr(value, "adapted"):  # psycopg2 Json: jsonb columns (translations, company
        value = json.dumps(value.adapted)  # dependent fields)
    elif not isinstance(value, str):
        return str(value)  # numbers, dates: nothing to escape
    return value.translate(COPY_ESCAPES) if COPY_SPECIAL(value) else value


class CopyLines:
    """The file ``copy_expert`` reads: the next lines of an iterator of COPY text lines,
    made when PostgreSQL asks for them (never the whole file in memory at once)."""

    def __init__(self, lines):
        self._lines = iter(lines)

    # not a model method: the file protocol of psycopg2's copy_expert
    def read(self, size=COPY_CHUNK):  # pylint: disable=method-required-super
        lines = list(itertools.islice(self._lines, max(size // 256, 1)))
        return "\n".join(lines) + "\n" if lines else ""


def reserve_ids(cr, table, count):
    """``count`` new ids of ``table`` from its sequence (named once: with
    ``pg_get_serial_sequence`` in the select list PostgreSQL looks the sequence up again
    for every id, ten times slower)."""
    cr.execute(SQL("SELECT pg_get_serial_sequence(%s, 'id')", table))
    sequence = cr.fetchone()[0]
    cr.execute(SQL("SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                   sequence, count))
    return [row[0] for row in cr.fetchall()]


def copy_lines(cr, table, columns, lines):
    """COPY the text-format ``lines`` (an iterable, made while they are sent) into
    ``columns`` of ``table``. Foreign keys, checks and indexes apply as to any insert.

    Making the lines must not query the database: a query on the cursor during the COPY
    ends it ("COPY terminated by new PQexec"). Read what they need through the ORM before."""
    query = SQL("COPY %s (%s) FROM STDIN", SQL.identifier(table),
                SQL(", ").join(SQL.identifier(c) for c in columns))
    # a blocking COPY: the wait callback (gevent's, in the longpolling worker) does not
    # handle COPY
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)
    try:
        cr.copy_expert(query.code, CopyLines(lines), size=COPY_CHUNK)
    finally:
        psycopg2.extensions.set_wait_callback(callback)
