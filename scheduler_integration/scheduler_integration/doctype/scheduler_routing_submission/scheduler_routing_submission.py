# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

"""One decision of a routing form: the answers, the rule that decided, where the prospect
was sent, the CRM record they already were, and the booking once made (Submitted →
Routed → Booked: the form's funnel). Written only by ``scheduler_routing_form/submissions.submit``
and, when booked, ``booking.routing``; the form's owner and Scheduler Managers read it."""

from frappe.model.document import Document


class SchedulerRoutingSubmission(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		answers: DF.JSON | None
		booking: DF.Link | None
		expires_at: DF.Datetime | None
		form: DF.Link
		form_owner: DF.Link | None
		guest_email: DF.Data | None
		hosts: DF.SmallText | None
		meeting_type: DF.Link | None
		message: DF.SmallText | None
		outcome: DF.Data | None
		passed_over: DF.SmallText | None
		record_doctype: DF.Link | None
		record_name: DF.DynamicLink | None
		record_owner: DF.Link | None
		rule: DF.Data | None
		status: DF.Literal["Submitted", "Routed", "Booked"]
		token_hash: DF.Data | None
		url: DF.Data | None

	# end: auto-generated types
	pass
