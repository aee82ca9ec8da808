"""After-commit effects of booking changes (video, calendar, email, CRM, reminders,
automations, engagement): ``table`` says which follow which lifecycle event, in which
order, and runs them; ``outbox`` keeps their rows and the reminders' (claims, retries,
statuses); one module per effect.

``dispatch`` (from the booking controller), ``run_booking`` (the job, enqueued by this
name) and ``sweep`` (every minute, ``jobs/effects.py``) are the package's entry points.
Imported only by controllers, jobs, install and patches: what happens after a commit is
started by a document's change or by a job, never by a request's own code (the checks
hold it, ``scripts/check_frappe_layer.py``).
"""

from scheduler_integration.effects.outbox import sweep
from scheduler_integration.effects.table import TABLE, dispatch, run_booking

__all__ = ["TABLE", "dispatch", "run_booking", "sweep"]
