# Copyright (c) 2026, scheduler_integration contributors
# For license information, please see license.txt

from frappe.model.document import Document

from scheduler_integration.services.calendar_sync import validate_calendar_connection


class SchedulerCalendarConnection(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		caldav_password: DF.Password | None
		caldav_url: DF.SmallText | None
		caldav_username: DF.Data | None
		check_calendars: DF.SmallText | None
		destination_calendar: DF.Data | None
		enabled: DF.Check
		error_count: DF.Int
		google_calendar: DF.Link | None
		host: DF.Link
		ics_url: DF.SmallText | None
		last_error: DF.SmallText | None
		last_sync: DF.Datetime | None
		next_retry_at: DF.Datetime | None
		provider: DF.Literal["ICS", "CalDAV", "Google"]
		status: DF.Literal["Not Synced", "OK", "Error"]
		sync_token: DF.SmallText | None
		write_bookings: DF.Check
	# end: auto-generated types

	def validate(self):
		validate_calendar_connection(self)
