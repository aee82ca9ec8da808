"""Every JSON file parses; a DocType's name matches its folder, its fieldnames are unique, its
Link / Table / Table MultiSelect options name a DocType of the app or a known Frappe core
one, and a controller module sits beside it; a Workspace links only to DocTypes and Reports
that exist."""

from __future__ import annotations

from . import app_tree
from .app_tree import load_json, problem

# Frappe core (and optional ERPNext / CRM) DocTypes this app may link to. Kept by hand:
# adding a name here is a conscious decision to depend on it.
CORE_DOCTYPES = {
	"User",
	"Role",
	"DocType",
	"Module Def",
	"Contact",
	"Address",
	"Event",
	"Comment",
	"Communication",
	"Email Queue",
	"Email Template",
	"Email Account",
	"Google Calendar",
	"Connected App",
	"Token Cache",
	"File",
	"Print Format",
	"Web Page",
	"Country",
	"Currency",
	"Language",
	"Dynamic Link",
	"Has Role",
	"Workspace",
	"Report",
	"Dashboard Chart",
	"Number Card",
	"Webhook",
	"Notification",
}
OPTIONAL_DOCTYPES = {"Lead", "Customer", "Opportunity", "CRM Lead", "CRM Deal"}  # only via Dynamic Link
LINK_TYPES = {"Link", "Table", "Table MultiSelect"}


def scrub(name: str) -> str:
	return name.strip().lower().replace(" ", "_").replace("-", "_")


def check_json() -> dict[str, dict]:
	doctypes: dict[str, dict] = {}
	for path in sorted(app_tree.APP.rglob("*.json")):
		if "node_modules" in path.parts:
			continue
		data = load_json(path)
		if (
			isinstance(data, dict)
			and data.get("doctype") == "DocType"
			and path.parent.parent.name == "doctype"
		):
			doctypes[data.get("name", "")] = {"path": path, "data": data}
	return doctypes


def check_doctypes(doctypes: dict[str, dict]) -> None:
	known = set(doctypes) | CORE_DOCTYPES
	for name, info in doctypes.items():
		path, data = info["path"], info["data"]
		if scrub(name) != path.parent.name or path.stem != path.parent.name:
			problem(path, f"DocType {name!r} does not match its folder {path.parent.name!r}")
		if data.get("module") != "Scheduler Integration":
			problem(path, f"module is {data.get('module')!r}, expected 'Scheduler Integration'")
		if not (path.parent / f"{path.parent.name}.py").exists():
			problem(path, "controller .py missing beside the DocType JSON")
		seen: set[str] = set()
		for field in data.get("fields", []):
			fieldname = field.get("fieldname")
			if not fieldname:
				problem(path, f"a field without fieldname: {field.get('label')!r}")
				continue
			if fieldname in seen:
				problem(path, f"duplicate fieldname {fieldname!r}")
			seen.add(fieldname)
			if field.get("fieldtype") in LINK_TYPES:
				target = field.get("options")
				if not target:
					problem(path, f"{fieldname}: {field['fieldtype']} without options")
				elif target not in known:
					problem(path, f"{fieldname}: links to unknown DocType {target!r}")
				elif (
					field["fieldtype"] != "Link"
					and target in doctypes
					and not doctypes[target]["data"].get("istable")
				):
					problem(
						path, f"{fieldname}: table field points at {target!r}, which is not a child table"
					)
		for order in data.get("field_order", []):
			if order not in seen:
				problem(path, f"field_order names unknown field {order!r}")
		for perm in data.get("permissions", []):
			if not perm.get("role"):
				problem(path, "permission row without role")


def check_workspaces(doctypes: dict[str, dict]) -> None:
	reports = {p.parent.name for p in app_tree.APP.rglob("report/*/*.json")}
	for path in app_tree.APP.rglob("workspace/*/*.json"):
		data = load_json(path) or {}
		for link in data.get("links", []) + data.get("shortcuts", []):
			target, kind = link.get("link_to"), link.get("link_type") or link.get("type")
			if kind == "DocType" and target not in doctypes and target not in CORE_DOCTYPES:
				problem(path, f"link to unknown DocType {target!r}")
			if kind == "Report" and scrub(target or "") not in reports:
				problem(path, f"link to unknown Report {target!r}")
