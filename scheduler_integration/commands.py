"""bench commands of scheduler_integration."""

import click
from frappe.commands import get_site, pass_context


@click.command("scheduler-demo")
@click.option("--timezone", help="IANA time zone of the demo host (default: the system time zone)")
@pass_context
def scheduler_demo(context, timezone=None):
	"""Create a demo host with weekday hours and three meeting types; print the booking URL."""
	import frappe

	from scheduler_integration.demo import create_demo

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		result = create_demo(timezone)
	finally:
		frappe.destroy()
	click.echo(f"Demo host: {result['user']} (profile {result['profile']})")
	click.echo(f"Booking page: {result['booking_url']}")
	for url in result["meeting_type_urls"]:
		click.echo(f"  {url}")


commands = [scheduler_demo]
