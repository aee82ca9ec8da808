# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SchedulerCacheVersion(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		cache: DF.Data | None
		key: DF.Data | None
		version: DF.Data | None
	# end: auto-generated types
	pass
