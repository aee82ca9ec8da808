"""The hosts' booking emails became an effect of their own (``host_email``, right after the
guest's ``email``: ``effects.table``). A guest's email row not yet done (waiting for an
outgoing Email Account, or for its retry) would now send the guest's email only: each gets
the hosts' row it would have been followed by, so no host's email is lost."""

import frappe

from scheduler_integration.effects import TABLE, outbox
from scheduler_integration.effects.email import HOST_EVENTS


def execute():
	seq = next(index for index, effect in enumerate(TABLE) if effect.key == "host_email")
	waiting = frappe.get_all(
		outbox.EFFECT,
		filters={"effect": "email", "status": ("in", [outbox.PENDING, outbox.RUNNING])},
		fields=["booking", "lifecycle_event"],
	)
	have = {
		(row.booking, row.lifecycle_event)
		for row in frappe.get_all(
			outbox.EFFECT,
			filters={"effect": "host_email", "booking": ("in", [row.booking for row in waiting] or [""])},
			fields=["booking", "lifecycle_event"],
		)
	}
	for row in waiting:
		if row.lifecycle_event in HOST_EVENTS and (row.booking, row.lifecycle_event) not in have:
			outbox.plan(row.booking, row.lifecycle_event, [(seq, "host_email")])
			have.add((row.booking, row.lifecycle_event))
