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


WORKSPACE = "Scheduling"


def open_on_scheduling(doc, method=None) -> None:
	"""``doc_events`` of User: a host or manager without a default workspace of their own
	opens the desk on Scheduling (their set-up checklist and next meetings), not on whichever
	workspace comes first in the sidebar."""
	if doc.get("default_workspace") or doc.name in ("Administrator", "Guest"):
		return
	roles = {row.role for row in doc.get("roles") or []}
	if roles & {HOST_ROLE, MANAGER_ROLE} and frappe.db.exists("Workspace", WORKSPACE):
		doc.db_set("default_workspace", WORKSPACE, update_modified=False)
