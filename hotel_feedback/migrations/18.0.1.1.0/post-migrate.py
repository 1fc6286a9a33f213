"""A ticket's first resolution and its breaches are now kept for the figures (F6): a reopening
no longer erases them. Tickets closed before keep their (last) closing as their first one, and
a breach their clocks show now is recorded."""


def migrate(cr, version):
    cr.execute("""
        UPDATE hotel_feedback
           SET first_resolved_date = resolved_date, first_resolve_hours = resolve_hours,
               first_resolve_deadline = resolve_deadline
         WHERE first_resolved_date IS NULL AND resolved_date IS NOT NULL
    """)
    cr.execute("""
        UPDATE hotel_feedback
           SET reply_breached = COALESCE(reply_sla_state = 'breached', FALSE),
               resolve_breached = COALESCE(resolve_sla_state = 'breached', FALSE)
    """)
