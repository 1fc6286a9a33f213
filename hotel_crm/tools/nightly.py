"""Nightly jobs that work on what changed since their last run (issue 18).

A nightly job keeps a *mark* of its last run in a system parameter: the moment from which
a change may not have been seen yet, and the day it ran for. Its next run looks only at
records written since that moment, plus what the calendar moved between the two days (a
stay leaving a rolling window, a tier period ending). Without a mark (first run, or the
mark deleted to force it) the job works on everything.

The moment is the start of the oldest transaction still open when the run starts, not the
run's own start: a change written by a transaction that began before the run and committed
after the run took its snapshot carries a ``write_date`` (its transaction's start) earlier
than the run, and would otherwise never be seen.
"""
import json
import logging
import random
import time

import psycopg2
from psycopg2.errors import DeadlockDetected, SerializationFailure

from odoo import fields
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

PARAM = "hotel_crm.nightly_mark.%s"


class NightlyMark:
    """The mark of one nightly job: ``since`` (UTC datetime) and ``day`` of its last run,
    both None when the job has not run; ``save()`` records this run."""

    def __init__(self, env, job):
        self.env, self.key = env, PARAM % job
        # sudo: the job's own bookkeeping, a system parameter
        raw = env["ir.config_parameter"].sudo().get_param(self.key)
        try:
            value = json.loads(raw) if raw else {}
            self.since = fields.Datetime.to_datetime(value.get("since"))
            self.day = fields.Date.to_date(value.get("day"))
            # what else the job's last run depended on (e.g. the RFM window's length)
            self.extra = {k: v for k, v in value.items() if k not in ("since", "day")}
        except (ValueError, TypeError, AttributeError):
            self.since = self.day = None  # a damaged mark: this run works on everything
            self.extra = {}
        env.cr.execute(SQL(
            """
            SELECT LEAST(now(), MIN(xact_start)) AT TIME ZONE 'UTC'
              FROM pg_stat_activity
             WHERE datname = current_database() AND xact_start IS NOT NULL
            """))
        self.now = env.cr.fetchone()[0]

    @property
    def full(self):
        return self.since is None or self.day is None

    def save(self, day, **extra):
        # sudo: see __init__
        self.env["ir.config_parameter"].sudo().set_param(self.key, json.dumps({
            **extra,
            "since": fields.Datetime.to_string(self.now),
            "day": fields.Date.to_string(day),
        }))


def retry_on_conflict(env, work, attempts=3):
    """Run ``work()``, a whole nightly job called first thing in its cron transaction; when
    a user's transaction changed the same rows meanwhile (PostgreSQL's serialization failure
    or a deadlock), roll back and run it again on a new snapshot, instead of losing the
    night's run. The job's own statements do not log such a conflict as an ERROR."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except (SerializationFailure, DeadlockDetected) as error:
            if attempt == attempts:
                raise
            _logger.info("nightly job: concurrent update (%s), run again (%s of %s)",
                         type(error).__name__, attempt + 1, attempts)
            env.cr.rollback()
            time.sleep(random.uniform(0.5, 2.0) * attempt)  # noqa: S311 (jitter)
    return None


def run_in_chunks(env, ids, work, size, attempts=5):
    """Call ``work(chunk)`` for ``ids`` (sorted) ``size`` at a time, each chunk in its own
    transaction, committed: a scheduled job's statement over every row would meet the rows
    that users change all day (a member being redeemed) and fail at every retry. A chunk
    that meets such a change is rolled back and run again on a new snapshot. Only for the
    scheduled jobs' own code (it commits). Returns the sum of what ``work`` returns."""
    total = 0
    ids = sorted(ids)
    for at in range(0, len(ids), size):
        chunk = ids[at:at + size]
        for attempt in range(1, attempts + 1):
            try:
                result = work(chunk) or 0
                commit(env)
                total += result
                break
            except (psycopg2.extensions.TransactionRollbackError,
                    psycopg2.errors.LockNotAvailable):
                env.cr.rollback()
                if attempt == attempts:
                    raise
                time.sleep(random.uniform(0.1, 0.5) * attempt)  # noqa: S311 (jitter)
    return total


def commit(env):
    """Commit a scheduled job's chunk (a function of its own, which tests replace: a test's
    transaction is never committed)."""
    env.cr.commit()  # pylint: disable=invalid-commit
