"""The indexes that keep every query's cost bounded by its window, not by history: the
guest caps' windows (a guest email's, a meeting type's and a host's bookings by creation),
and the statuses the jobs and the workspace read (pending, confirmed and finished
bookings by start, end or creation)."""

from scheduler_integration.scheduler_integration.doctype.scheduler_booking import scheduler_booking
from scheduler_integration.scheduler_integration.doctype.scheduler_booking_host import (
	scheduler_booking_host,
)


def execute():
	scheduler_booking.on_doctype_update()
	scheduler_booking_host.on_doctype_update()
