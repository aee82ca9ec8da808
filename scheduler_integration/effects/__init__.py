"""After-commit effects of booking changes (video, calendar, email, CRM, reminders,
automations, engagement): ``table`` says which follow which lifecycle event, in which
order, and runs them; ``outbox`` keeps their rows and the reminders' (claims, retries,
statuses); one module per effect.

``dispatch`` (from the booking controller), ``run_booking`` (the job, enqueued by this
name) and ``sweep`` (every minute, ``jobs/effects.py``) are the package's entry points.
"""

from scheduler_integration.effects.outbox import sweep
from scheduler_integration.effects.table import TABLE, dispatch, run_booking

__all__ = ["TABLE", "dispatch", "run_booking", "sweep"]
