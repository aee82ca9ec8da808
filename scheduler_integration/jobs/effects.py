"""Effects job: every minute, run booking effects that are due (retries, lost jobs)."""

from scheduler_integration import effects


def sweep_effects():
	effects.sweep()
