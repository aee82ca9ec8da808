# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from scheduler_integration.core.permissions import ChildRow


class SchedulerPaymentRefund(ChildRow):  # readable exactly when its payment is
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		amount_minor: DF.Int
		ledger_doctype: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		payment_entry: DF.DynamicLink | None
		reason: DF.Literal["Cancellation", "Late Payment"]
		refund_id: DF.Data | None
		refunded_at: DF.Datetime | None
		status: DF.Data | None
	# end: auto-generated types
	pass
