"""Role bookkeeping for hosts."""

import frappe

HOST_ROLE = "Scheduler Host"
MANAGER_ROLE = "Scheduler Manager"


def ensure_host_role(user: str) -> None:
	"""Give ``user`` the Scheduler Host role (a profile makes someone a host)."""
	if not user or user in ("Administrator", "Guest"):
		return
	if HOST_ROLE not in frappe.get_roles(user):
		doc = frappe.get_doc("User", user)
		doc.flags.ignore_permissions = True
		doc.add_roles(HOST_ROLE)
