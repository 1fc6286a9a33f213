import logging
import threading
import time

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, config

from ..tools.trusted import check_protected_fields, is_trusted, trusted

_logger = logging.getLogger(__name__)

# Granted to the job runner only: a job's state, progress and result are its own record.
JOB_RUN = "hotel_crm.job_run"
# First key of the advisory lock a runner holds on a job while it works a batch of it (the
# second key is the job's id): one runner per job, whichever server or cron thread it is.
LOCK_KEY = 71_820_001
# A batch that was interrupted (worker killed at its time or memory limit, server stopped)
# this many times in a row fails its job instead of being tried again.
MAX_ATTEMPTS = 3
RUNNABLE = ("queued", "running")
# Odoo's cron calls a job that reports remaining work again, up to ten times in one run of
# the cron worker, and a prefork cron worker is killed when that whole run passes its real
# time limit (120 s by default). Once this share of the limit is spent, the runner lets the
# run end and asks for a new one at once (ir.cron.trigger): its clock starts again.
RUN_SHARE_OF_LIMIT = 0.4
_run_started = {}  # thread -> when its cron worker's run of the jobs began
PROTECTED = ("name", "user_id", "company_id", "company_ids", "res_model", "res_id", "method",
             "state", "stage", "done", "total", "attempts", "payload", "error", "result_model",
             "result_id", "date_start", "date_end")


class HotelJob(models.Model):
    """Long work (imports, scans, recomputations) run in the background, batch by batch.

    Why Odoo's own cron and not OCA ``queue_job``: every Odoo server already runs cron
    workers that pick jobs with a database lock (several servers share them), ``_trigger``
    starts one at once, and a cron that reports progress is called again while work remains;
    ``queue_job`` would add a job runner to configure on each server (``server_wide_modules``,
    channels) for work that needs none of its features.

    A job names a private method ``_hotel_job_<name>`` of one record, called with the job
    (as the user who started it, in their properties) for one batch at a time. The batch
    does a bounded amount of work, records its progress with :meth:`_progress` and returns
    whether the work is finished. Each batch commits: a worker killed in a batch (time or
    memory limit) loses that batch only, and the next run starts it again from the job's
    last committed progress, so a batch must be idempotent from that state.
    """

    _name = "hotel.job"
    _description = "Background Job"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Started By", required=True, readonly=True,
                              index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", string="Property", readonly=True, index=True)
    company_ids = fields.Many2many("res.company", string="Properties", readonly=True)
    res_model = fields.Char(string="Model", readonly=True, required=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model",
                                      readonly=True)
    method = fields.Char(readonly=True, required=True)
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed"),
         ("cancelled", "Cancelled")],
        default="queued", required=True, readonly=True, index=True, tracking=True,
    )
    stage = fields.Char(readonly=True)
    done = fields.Integer(readonly=True)
    total = fields.Integer(readonly=True)
    progress = fields.Float(compute="_compute_progress")
    attempts = fields.Integer(readonly=True, help="Batches interrupted in a row.")
    payload = fields.Json(readonly=True, groups="base.group_system")
    error = fields.Text(readonly=True)
    result_model = fields.Char(readonly=True)
    result_id = fields.Many2oneReference(string="Result ID", model_field="result_model",
                                         readonly=True)
    date_start = fields.Datetime(string="Started", readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    cancel_requested = fields.Boolean(compute="_compute_cancel_requested")

    @api.depends("done", "total", "state")
    def _compute_progress(self):
        for job in self:
            if job.state == "done":
                job.progress = 100.0
            else:
                job.progress = min(100.0, 100.0 * job.done / job.total) if job.total else 0.0

    def _compute_cancel_requested(self):
        # sudo: cancel requests are the runner's; their existence is what the owner sees
        requested = set(self.env["hotel.job.cancel"].sudo().search(
            [("job_id", "in", self.ids)]).job_id.ids)
        for job in self:
            job.cancel_requested = job.id in requested

    @api.model_create_multi
    def create(self, vals_list):
        if not is_job_runner(self.env):
            raise AccessError(self.env._("Background jobs are started by the hotel CRM itself."))
        return super().create(vals_list)

    def write(self, vals):
        check_protected_fields(self, PROTECTED, vals, JOB_RUN)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Starting a job
    # ------------------------------------------------------------------
    @api.model
    def _enqueue(self, record, method, name, total=0, payload=None):
        """Queue ``record._hotel_job_<method>(job)`` for the current user and wake a runner
        (``record`` empty: a job of the model)."""
        if len(record) > 1:
            raise UserError(self.env._("A background job works on one record."))
        if not method.startswith("_hotel_job_") or not callable(getattr(record, method, None)):
            raise UserError(self.env._("%(method)s is not a background job.", method=method))
        with trusted(JOB_RUN):
            # sudo: jobs are created by the CRM for the current user (create is refused to
            # every caller, see create)
            job = self.sudo().create({
                "name": name,
                "user_id": self.env.uid,
                "company_id": self.env.company.id,
                "company_ids": [(6, 0, self.env.companies.ids)],
                "res_model": record._name,
                "res_id": record.id or 0,
                "method": method,
                "total": total,
                "payload": payload or {},
            })
        job.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        # sudo: any user who queues or cancels a job wakes the runner (ir.cron is admin)
        self.env.ref("hotel_crm.ir_cron_hotel_job").sudo()._trigger()
        return job.with_env(self.env)

    def action_open(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "name": self.name, "target": "current"}

    # ------------------------------------------------------------------
    # Actions of the user
    # ------------------------------------------------------------------
    def action_cancel(self):
        """Ask the runner to stop after its current batch (a request of its own record, so
        that it never waits for the batch in progress nor makes it fail)."""
        for job in self:
            job.check_access("read")
            if job.user_id != self.env.user and not self.env.user.has_group(
                    "hotel_crm.group_hotel_manager"):
                raise AccessError(self.env._(
                    "Only %(user)s or a manager can cancel %(job)s.",
                    user=job.user_id.name, job=job.name))
            if job.state not in RUNNABLE:
                raise UserError(self.env._("%(job)s has already ended.", job=job.name))
        # sudo: the access of the canceller to each job was checked above
        self.env["hotel.job.cancel"].sudo().create(
            [{"job_id": job.id, "user_id": self.env.uid} for job in self])
        self.invalidate_recordset(["cancel_requested"])
        # sudo: any user who queues or cancels a job wakes the runner (ir.cron is admin)
        self.env.ref("hotel_crm.ir_cron_hotel_job").sudo()._trigger()
        return True

    def action_open_result(self):
        self.ensure_one()
        if not self.result_model or not self.result_id:
            raise UserError(self.env._("This job has no result to open."))
        result = self.env[self.result_model].browse(self.result_id)
        result.check_access("read")
        return {"type": "ir.actions.act_window", "res_model": self.result_model,
                "res_id": self.result_id, "view_mode": "form", "target": "current"}

    # ------------------------------------------------------------------
    # What a batch reports
    # ------------------------------------------------------------------
    def _progress(self, done=None, total=None, stage=None, payload=None, result=None):
        self.ensure_one()
        vals = {}
        if done is not None:
            vals["done"] = done
        if total is not None:
            vals["total"] = total
        if stage is not None:
            vals["stage"] = stage
        if payload is not None:
            vals["payload"] = payload
        if result is not None:
            vals.update(result_model=result._name, result_id=result.id)
        with trusted(JOB_RUN):
            # sudo: progress is written by the runner under the job's trusted marker
            self.sudo().write(vals)

    # ------------------------------------------------------------------
    # Runner
    # ------------------------------------------------------------------
    @api.model
    def _cron_run_jobs(self):
        """One batch of the oldest runnable job; the cron is called again while jobs remain
        (``_notify_progress``), so that batches of several jobs interleave."""
        # by thread, not by anything of the context: a run ends each way below, and a run
        # Odoo ended after ten calls leaves a start that ends the next run after one batch
        key = threading.get_ident()
        started = _run_started.setdefault(key, time.monotonic())
        job = self._claim()
        if not job:
            _run_started.pop(key, None)
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)
            return
        try:
            # a snapshot taken after the lock: the job as its last batch left it
            self._commit()
            job.invalidate_recordset()
            if job.state in RUNNABLE:
                job._run_batch(commit=True)
        finally:
            self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", LOCK_KEY, job.id))
        # sudo: the runner counts every user's jobs
        remaining = self.sudo().search_count([("state", "in", RUNNABLE)])
        if remaining and time.monotonic() - started > self._run_budget():
            # end this run of the cron worker before its time limit; the next one at once
            _run_started.pop(key, None)
            # sudo: the runner wakes itself (ir.cron is admin only)
            self.env.ref("hotel_crm.ir_cron_hotel_job").sudo()._trigger()
            remaining = 0
        elif not remaining:
            _run_started.pop(key, None)
        self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)

    @api.model
    def _run_budget(self):
        """Seconds the runner may spend in one run of a cron worker (see RUN_SHARE_OF_LIMIT);
        without a limit (threaded server), a minute, so that other cron jobs get their turn."""
        limit = config.get("limit_time_real_cron") or -1
        if limit < 0:
            limit = config.get("limit_time_real") or 0
        return limit * RUN_SHARE_OF_LIMIT if limit > 0 else 60

    @api.model
    def _claim(self):
        """The oldest runnable job no other runner holds, locked for this session."""
        self.env.cr.execute(SQL(
            "SELECT id FROM hotel_job WHERE state IN %s ORDER BY id", RUNNABLE))
        for (job_id,) in self.env.cr.fetchall():
            self.env.cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", LOCK_KEY, job_id))
            if self.env.cr.fetchone()[0]:
                # sudo: the runner works every user's jobs (the step runs as the owner)
                return self.sudo().browse(job_id)
        return self.browse()

    def _run_batch(self, commit=False):
        """Run one batch of this job. With ``commit`` (the runner), the attempt is recorded
        before the batch and the batch's work after it, each in its own transaction."""
        self.ensure_one()
        # sudo: the runner's bookkeeping; the step itself runs as the job's user
        job = self.sudo()
        cr = self.env.cr
        if job.attempts >= MAX_ATTEMPTS:
            job._finish("failed", self.env._(
                "A batch was interrupted %(count)s times in a row (the worker's time or memory "
                "limit, or a server restart); the job stopped at %(done)s of %(total)s.",
                count=job.attempts, done=job.done, total=job.total))
            if commit:
                self._commit()
            return
        with trusted(JOB_RUN):
            job.write({"attempts": job.attempts + 1, "state": "running",
                       "date_start": job.date_start or fields.Datetime.now()})
        if commit:
            self._commit()
        job.invalidate_recordset(["cancel_requested"])
        if job.cancel_requested:
            job._finish("cancelled")
            if commit:
                self._commit()
            return
        user = job.user_id
        companies = job.company_ids & user.company_ids or user.company_id
        record = self.env[job.res_model].with_user(user).with_context(
            allowed_company_ids=companies.ids, lang=user.lang, tz=user.tz,
        ).browse(job.res_id)
        try:
            with cr.savepoint():
                finished = getattr(record, job.method)(job)
        except (UserError, AccessError) as exc:
            job._finish("failed", str(exc.args[0]) if exc.args else str(exc))
        except (psycopg2.extensions.TransactionRollbackError,
                psycopg2.errors.LockNotAvailable):
            # a concurrent transaction (a row changed since the snapshot, a deadlock, a lock
            # not available): the batch's work is rolled back with its savepoint, and the
            # batch is tried again in a new transaction
            _logger.info("job %s: batch retried after a concurrent update", job.id)
            with trusted(JOB_RUN):
                job.write({"attempts": max(job.attempts - 1, 0)})
        except Exception as exc:  # noqa: BLE001 - any failure ends the job with its reason
            _logger.warning("background job %s (%s) failed", job.id, job.name, exc_info=True)
            reason = f"{exc.__class__.__name__}: {exc}"
            job._finish("failed", self.env._("Unexpected error: %(error)s", error=reason))
        else:
            with trusted(JOB_RUN):
                job.write({"attempts": 0})
            if finished:
                job._finish("done")
        if commit:
            self._commit()

    def _commit(self):
        # the runner's own transactions: a batch's work is kept once it is whole, and the
        # attempt is recorded before it (see the class's docstring)
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def _finish(self, state, error=None):
        self.ensure_one()
        with trusted(JOB_RUN):
            self.write({"state": state, "error": error or False,
                        "date_end": fields.Datetime.now()})
        # sudo: the runner clears the cancel requests of an ended job
        self.env["hotel.job.cancel"].sudo().search([("job_id", "=", self.id)]).unlink()
        self.invalidate_recordset(["cancel_requested"])
        if state in ("failed", "cancelled"):
            # the work's own record says what a stopped job leaves (e.g. an import log)
            # sudo: the record's own hook decides what a stopped job leaves
            record = self.env[self.res_model].sudo().browse(self.res_id).exists()
            if record and hasattr(record, "_hotel_job_stopped"):
                record._hotel_job_stopped(self)
        labels = dict(self._fields["state"]._description_selection(self.env))
        body = self.env._("%(job)s: %(state)s.", job=self.name, state=labels[state])
        if error:
            body += " " + error
        self.message_post(body=body, partner_ids=self.user_id.partner_id.ids,
                          subtype_xmlid="mail.mt_comment")
        self.user_id._bus_send("simple_notification", {
            "type": "success" if state == "done" else "warning",
            "title": self.name,
            "message": body,
            "sticky": state == "failed",
        })


def is_job_runner(env):
    return is_trusted(env, JOB_RUN)


class HotelJobCancel(models.Model):
    """A request to stop a job, recorded apart from the job so that asking never waits for
    (or breaks) the batch that is running."""

    _name = "hotel.job.cancel"
    _description = "Background Job Cancellation"

    job_id = fields.Many2one("hotel.job", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
