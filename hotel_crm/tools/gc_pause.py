"""Python's cyclic garbage collector paused for bulk work (the guest import).

An import of a few hundred thousand rows holds millions of live objects (rows, cleaned
values, plans) until it ends. Each automatic collection walks every one of them again, and
collections are triggered by allocations: measured on the benchmark import of 300,000
stays, about a tenth of the apply went into collections that found nothing to free. The
objects of the import are released by reference counting when it ends; what cyclic garbage
it leaves is collected by the first collection after the pause (later Odoo versions pause
the collector in the same way while they load modules: ``odoo.tools.gc.disabling_gc``).
"""
import contextlib
import gc
import logging

_logger = logging.getLogger(__name__)


@contextlib.contextmanager
def paused_gc():
    """Pause automatic garbage collection inside the block (the collector is process-wide:
    a block inside another, or in another thread, leaves it to the outermost one). Yields
    whether this block paused it."""
    if not gc.isenabled():
        yield False
        return
    gc.disable()
    try:
        yield True
    finally:
        gc.enable()
        _logger.debug("garbage collection resumed (counts %s)", gc.get_count())
