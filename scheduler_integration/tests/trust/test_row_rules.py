"""Every DocType of the app has a row rule, and a plain host reads no other host's rows
through any of Frappe's read paths, over real HTTP (a DocType without a rule fails here; issue 37, item 9).

The DocTypes are read from the database (module "Scheduler Integration"), so a new one is
covered without touching this test: without a rule in ``core.permissions.row_rule`` it
fails the first test. The second makes, for two plain hosts A and B, a row of every
non-single DocType that belongs to each (its owner field; a child row under the host's own
parent; a booking through its host rows, a team through its members), each with a name and
a marker text of its own, and reads as A through the REST list and document, ``get_list``,
``get_value``, ``get_count``, Report View (with a child table's column), its count, its CSV
export and link search (also with ``ignore_user_permissions``): B's names and markers never
show, A's own rows do where the rule gives them to A. DocTypes no host may read answer A
403 or nothing, not even A's own rows.
"""

from __future__ import annotations

import json
import re

import frappe
from frappe.model import no_value_fields, table_fields
from frappe.utils import add_days, now_datetime, nowdate

from scheduler_integration.core import permissions
from scheduler_integration.tests.factory import make_host
from scheduler_integration.tests.live import LiveServer, cleanup, method_url
from scheduler_integration.tests.utils import SchedulerTestCase

MODULE = "Scheduler Integration"
A, B = "sched-rows-a@example.com", "sched-rows-b@example.com"
USERS = {"a": A, "b": B}
PREFIX = "sched-rows-"  # every row this module makes is named so (and nothing else is)
TEXT = ("Data", "Small Text", "Text", "Long Text")
# values that keep the site's jobs away from the rows (no reminder sent, no effect run,
# no calendar refreshed, no booking completed) and no public page opened on them
QUIET = {
	"Scheduler Booking": {"status": "Cancelled"},
	"Scheduler Booking Effect": {"status": "Done"},
	"Scheduler Booking Series": {"status": "Cancelled"},
	"Scheduler Reminder": {"status": "Skipped"},
	"Scheduler External Meeting": {"status": "Cancelled"},
	"Scheduler Calendar Connection": {"provider": "Zoom", "enabled": 1},  # no calendar: never synced
	"Scheduler Personal Link": {"status": "Revoked"},
	"Scheduler Payment": {"status": "Expired"},
	"Scheduler Meeting Type": {"active": 0},
	"Scheduler Team": {"active": 0},
	"Scheduler Routing Form": {"active": 0},
}


def slug(doctype: str) -> str:
	return doctype.lower().replace(" ", "-")


def row_name(who: str, doctype: str) -> str:
	return f"{PREFIX}{who}-{slug(doctype)}"


def marker(who: str, doctype: str) -> str:
	return f"rowmark-{who}-{slug(doctype)}"


def app_doctypes() -> list[frappe._dict]:
	return frappe.get_all(
		"DocType", filters={"module": MODULE}, fields=["name", "istable", "issingle"], order_by="name"
	)


def is_app_doctype(doctype: str | None) -> bool:
	return bool(doctype) and frappe.db.get_value("DocType", doctype, "module") == MODULE


def user_links(meta) -> list[str]:
	return [df.fieldname for df in meta.fields if df.fieldtype == "Link" and df.options == "User"]


def owner_field(meta) -> str | None:
	"""The field naming the host a document belongs to: the module's own word, else its
	first link to a user."""
	return permissions.OWNER_FIELD.get(meta.name) or next(iter(user_links(meta)), None)


def marker_field(meta, skip: set[str]) -> str:
	"""A field that shows the row's marker: a text field, else a link to anything but a user."""
	for kinds in (TEXT, ("Link", "Dynamic Link", "Autocomplete")):
		for df in meta.fields:
			if (
				df.fieldtype in kinds
				and not df.permlevel
				and df.fieldname not in skip
				and not (df.fieldtype == "Link" and df.options == "User")
			):
				return df.fieldname
	return "name"


def parents_of(doctypes) -> dict[str, tuple[str, str]]:
	"""{child DocType: (parent DocType, its table field)}: the first of the app's parents."""
	found = {}
	for row in doctypes:
		if row.istable or row.issingle:
			continue
		for df in frappe.get_meta(row.name).fields:
			if df.fieldtype in table_fields:
				found.setdefault(df.options, (row.name, df.fieldname))
	return found


def host_reads(doctype: str) -> bool:
	"""May a plain host read ``doctype`` at all (role permissions)?"""
	return bool(frappe.has_permission(doctype, "read", user=A))


class TestRowRules(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.purge()
		try:
			cls.doctypes = app_doctypes()
			cls.parents = parents_of(cls.doctypes)
			cls.plan = {}  # {doctype: (kind, marker field)}; kind: owned, child, managers, shared
			cls.rows = {"a": {}, "b": {}}  # {who: {doctype: {name: marker}}}
			for who, user in USERS.items():
				make_host(user, f"{PREFIX}{who}")  # a plain host: a profile and hours of their own
			for row in cls.doctypes:
				if row.issingle:
					continue
				cls.plan[row.name] = cls.kind_of(row)
			for who, user in USERS.items():
				for doctype, (kind, field) in cls.plan.items():
					if kind == "shared":
						continue
					cls.rows[who][doctype] = cls.make_row(who, user, doctype, field)
			frappe.db.commit()
			cls.server = LiveServer.get_instance()
			cls.as_a = cls.server.session(A)
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		cls.purge()
		super().tearDownClass()

	@classmethod
	def purge(cls) -> None:
		frappe.db.rollback()
		frappe.set_user("Administrator")
		for row in app_doctypes():
			if not row.issingle:
				frappe.db.delete(row.name, {"name": ("like", f"{PREFIX}%")})
		frappe.db.delete("Access Log", {"user": ("in", [A, B])})  # the exports' log
		frappe.db.commit()
		cleanup([A, B], delete_users=True)

	@classmethod
	def kind_of(cls, row) -> tuple[str, str]:
		meta = frappe.get_meta(row.name)
		owner = owner_field(meta)
		field = marker_field(meta, {owner} if owner else set())
		if row.istable:
			return "child", field
		if not host_reads(row.name):
			return "managers", field
		if (
			owner
			# a team: its members' rows say whose it is
			or any(user_links(frappe.get_meta(d.options)) for d in meta.fields if d.fieldtype in table_fields)
			# a booking's effect: its booking's
			or any(d.fieldtype == "Link" and d.reqd and is_app_doctype(d.options) for d in meta.fields)
		):
			return "owned", field
		return "shared", field

	@classmethod
	def make_row(cls, who: str, user: str, doctype: str, field: str) -> dict[str, str]:
		"""A row of ``doctype`` that is ``user``'s, inserted as it is (no controller runs):
		{name: marker}. Links to the app's DocTypes point at the same host's rows."""
		meta = frappe.get_meta(doctype)
		name, mark = row_name(who, doctype), marker(who, doctype)
		owner = owner_field(meta)
		if owner and meta.get_field(owner).unique:
			# one per user: the host's own profile (make_host), marked
			existing = frappe.db.get_value(doctype, {owner: user}, "name")
			frappe.db.set_value(doctype, existing, field, mark, update_modified=False)
			return {existing: mark}
		doc = frappe.new_doc(doctype)
		if meta.istable:
			parent, parentfield = cls.parents[doctype]
			doc.update(
				{"parenttype": parent, "parentfield": parentfield, "parent": cls.parent_of(who, parent)}
			)
		for df in meta.fields:
			if df.fieldtype in no_value_fields or df.fieldtype in table_fields:
				continue
			if df.fieldtype == "Link" and df.options == "User":
				doc.set(df.fieldname, user)
			elif df.fieldtype == "Link" and is_app_doctype(df.options):
				doc.set(df.fieldname, cls.parent_of(who, df.options) if df.options != doctype else None)
			elif df.reqd and not doc.get(df.fieldname):
				doc.set(df.fieldname, cls.filler(df, name))
		if doctype == "Scheduler Out of Office":
			doc.delegate = None  # asked of nobody: only its host reads it
		doc.update(QUIET.get(doctype, {}))
		doc.set(field, mark)
		doc.name = name
		doc.db_insert()
		return {name: mark}

	@classmethod
	def parent_of(cls, who: str, doctype: str) -> str:
		"""The name of ``who``'s row of ``doctype`` (made before or after this one)."""
		if doctype == "Scheduler Profile":
			return frappe.db.get_value(doctype, {"user": USERS[who]}, "name")
		return row_name(who, doctype)

	@staticmethod
	def filler(df, name: str):
		if df.fieldtype in ("Datetime",):
			return add_days(now_datetime(), 60)
		if df.fieldtype == "Date":
			return add_days(nowdate(), 60)
		if df.fieldtype in ("Select",):
			return next(option for option in (df.options or "").split("\n") if option)
		if df.fieldtype in ("Int", "Float", "Currency", "Check"):
			return 0
		return name  # text, links, time zones: unique and recognisable

	# --- the rule of every DocType --------------------------------------------------------------

	def test_every_doctype_declares_its_row_rule(self):
		row_rule = getattr(permissions, "row_rule", None)
		self.assertIsNotNone(row_rule, "core.permissions names no DocType's row rule")
		self.assertIsNone(row_rule("Scheduler Brand New"), "an undeclared DocType has no rule")
		rules = {row.name: row_rule(row.name) for row in app_doctypes()}
		self.assertGreater(len(rules), 30)
		self.assertEqual(
			sorted(name for name, rule in rules.items() if not rule), [], "DocTypes without a rule"
		)
		hooks = frappe.get_hooks("permission_query_conditions")
		for name, rule in rules.items():
			with self.subTest(doctype=name, rule=rule):
				meta = frappe.get_meta(name)
				if rule.startswith(("owner", "child", "through")):
					# declared and enforced: the rule's hooks are registered
					self.assertIn(name, hooks)
					self.assertIn(name, frappe.get_hooks("has_permission"))
				if rule.startswith("owner"):
					self.assertIsNotNone(meta.get_field(rule.split(": ", 1)[1]), "its owner field exists")
				if rule == "managers only":
					self.assertFalse(host_reads(name), "a host reads a managers-only DocType")
				if rule.startswith("shared"):
					self.assertTrue(host_reads(name))

	# --- every read path, as host A ---------------------------------------------------------------

	def test_a_host_reads_no_other_hosts_rows_through_any_read_path(self):
		problems = []
		theirs = {n: m for rows in self.rows["b"].values() for n, m in rows.items()}
		leak = re.compile("|".join(re.escape(text) for pair in theirs.items() for text in pair))
		# a refusal of one document may name the document asked for: only its content counts
		content = re.compile("|".join(re.escape(mark) for mark in theirs.values()))
		for doctype, (kind, field) in self.plan.items():
			if kind == "shared":
				r = self.rest(doctype)
				if r.status_code != 200 or not r.json().get("data"):
					problems.append(f"{doctype}: a shared DocType the host cannot read: {r.status_code}")
				continue
			problems += self.check(doctype, kind, field, leak, content)
		# singles no host may read
		for row in self.doctypes:
			if row.issingle and not host_reads(row.name):
				r = self.as_a.get(f"{self.server.base}/api/resource/{row.name}/{row.name}", timeout=60)
				if r.status_code != 403:
					problems.append(f"{row.name}: a host reads the single: {r.status_code}")
		self.assertFalse(problems, "\n".join(problems))

	def rest(self, doctype: str, **params):
		return self.as_a.get(f"{self.server.base}/api/resource/{doctype}", params=params, timeout=60)

	def call(self, method: str, data: dict, http: str = "GET"):
		url = method_url(self.server, method)
		if http == "GET":
			return self.as_a.get(url, params=data, timeout=60)
		return self.as_a.post(url, data=data, timeout=60)

	def check(self, doctype: str, kind: str, field: str, leak, content) -> list[str]:
		"""Every read path for ``doctype``: what leaks of B's rows, and which of A's own
		rows are missing where A may read them."""
		mine = self.rows["a"][doctype]
		names = sorted(mine) + sorted(self.rows["b"][doctype])
		parent = self.parents[doctype][0] if kind == "child" else None
		own_readable = kind in ("owned", "child")
		filters = json.dumps([[doctype, "name", "in", names]])
		fields = json.dumps(["name", field])
		scope = {"parent": parent} if parent else {}
		view_scope = {"parent_doctype": parent} if parent else {}
		columns = [f"`tab{doctype}`.`name`", f"`tab{doctype}`.`{field}`"]
		for df in frappe.get_meta(doctype).fields:  # a child table's column: its rows joined in
			if df.fieldtype in table_fields:
				child = frappe.get_meta(df.options)
				columns.append(f"`tab{child.name}`.`{marker_field(child, set(user_links(child)))}`")
		one = sorted(self.rows["b"][doctype])[0]
		answers = {
			"REST list": self.rest(doctype, fields=fields, filters=filters, limit_page_length=0, **scope),
			"REST document": self.as_a.get(f"{self.server.base}/api/resource/{doctype}/{one}", timeout=60),
			"frappe.client.get_list": self.call(
				"frappe.client.get_list",
				{"doctype": doctype, "fields": fields, "filters": filters, "limit_page_length": 0, **scope},
			),
			"frappe.client.get_value": self.call(
				"frappe.client.get_value",
				{"doctype": doctype, "fieldname": json.dumps(["name", field]), "filters": one, **scope},
			),
			"frappe.client.get_count": self.call(
				"frappe.client.get_count", {"doctype": doctype, "filters": filters, **scope}
			),
			"frappe.desk.reportview.get": self.call(
				"frappe.desk.reportview.get",
				{
					"doctype": doctype,
					"fields": json.dumps(columns),
					"filters": filters,
					"page_length": 0,
					**view_scope,
				},
				"POST",
			),
			"frappe.desk.reportview.get_count": self.call(
				"frappe.desk.reportview.get_count",
				{"doctype": doctype, "filters": filters, **view_scope},
				"POST",
			),
			"frappe.desk.reportview.export_query": self.call(
				"frappe.desk.reportview.export_query",
				{
					"doctype": doctype,
					"fields": json.dumps(columns[:2]),
					"filters": filters,
					"file_format_type": "CSV",
					"title": doctype,
					**view_scope,
				},
				"POST",
			),
		}
		for flag in (0, 1):
			answers[f"frappe.desk.search.search_link (ignore_user_permissions={flag})"] = self.call(
				"frappe.desk.search.search_link",
				{
					"doctype": doctype,
					"txt": PREFIX,
					"page_length": 100,
					"ignore_user_permissions": flag,
					**({"reference_doctype": parent} if parent else {}),
				},
			)
		answers["frappe.desk.search.search_widget (ignore_user_permissions=1)"] = self.call(
			"frappe.desk.search.search_widget",
			{"doctype": doctype, "txt": PREFIX, "page_length": 100, "ignore_user_permissions": 1, **scope},
		)
		problems = []
		lists = ("REST list", "frappe.client.get_list", "frappe.desk.reportview.get")
		for route, r in answers.items():
			where = f"{doctype} ({kind}) via {route}"
			if r.status_code >= 500:
				problems.append(f"{where}: {r.status_code} {r.text[:200]}")
			found = (content if route == "REST document" else leak).search(r.text)
			if found:
				problems.append(f"{where}: shows B's {found.group(0)}")
			if route == "REST document" and r.status_code != 403:
				problems.append(f"{where}: B's row answers {r.status_code}, not 403")
			if route.endswith("get_count") and r.status_code == 200:
				count, expected = r.json().get("message"), len(mine) if own_readable else 0
				if count != expected:
					problems.append(f"{where}: counts {count}, A may see {expected}")
			if own_readable and route in (
				*lists,
				"frappe.client.get_count",
				"frappe.desk.reportview.get_count",
			):
				if r.status_code != 200:
					problems.append(f"{where}: A cannot read its own rows: {r.status_code} {r.text[:200]}")
				elif route in lists and (missing := [name for name in mine if name not in r.text]):
					problems.append(f"{where}: A's own rows missing: {missing}")
			if kind == "managers" and (seen := [name for name in mine if name in r.text]):
				problems.append(f"{where}: a host reads its own rows of a managers' DocType: {seen}")
			if own_readable and route.endswith("export_query") and r.status_code == 200:
				if missing := [name for name in mine if name not in r.text]:  # a DocType A may export
					problems.append(f"{where}: A's own rows missing: {missing}")
		return problems
