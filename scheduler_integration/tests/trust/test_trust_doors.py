"""Doors the site trusted too much, over real HTTP (issue 37, items 6, 7, 10, 11, 14, 16).

6. A custom domain is a Scheduler Manager's to give, and never a name the site or the bench
   already answers to: the site's own name, its ``host_name``, the name the manager reached
   the desk by, another site of the bench or a name in another site's ``domains``. A link
   ``sites/<domain> → <this site>`` is a domain set up for this site, not another site.
7. A custom domain works on a bare gunicorn through that link (Frappe then calls the site by
   the link's name) and behind nginx as bench configures it (``X-Frappe-Site-Name``): its
   root is the profile's page, ``/<type>`` its booking page, nothing else is reachable.
10. An unknown team slug is 404 on the public API and the team page, also on a site with a
    round-robin type that has no team.
11. A Number answer past any float (``10**400``) is a 400 naming the field, on ``book`` and
    on a routing form's ``submit``.
14. A method called with an HTTP method it does not take answers 405 METHOD_NOT_ALLOWED with
    ``Allow``, as the README's code table says.
16. A test class switches the booking form's proof of work off while it runs and hands the
    site's own value back, committed.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import timedelta

import frappe
import requests
from frappe.installer import update_site_config

from scheduler_integration.core.settings import store
from scheduler_integration.scheduler_integration.doctype.scheduler_team.test_scheduler_team import page_json
from scheduler_integration.tests.factory import (
	NO_RATE_LIMITS,
	Outbox,
	future_day,
	iso,
	make_host,
	make_type,
	set_settings,
)
from scheduler_integration.tests.live import PASSWORD, LiveServer, body, cleanup, make_user, method_url
from scheduler_integration.tests.trust.test_side_doors_requests import problems_of
from scheduler_integration.tests.utils import SchedulerTestCase

H = "sched-trust-host@example.com"  # the domain's host, and a team's admin
OTHER = "sched-trust-other@example.com"  # another host
M = "sched-trust-manager@example.com"
H_NAME = H.split("@")[0]  # the display name make_host gives
H_SLUG, O_SLUG, TEAM_SLUG, FORM_SLUG = (
	"sched-trust-h",
	"sched-trust-o",
	"sched-trust-team",
	"sched-trust-route",
)
DOMAIN = "book-sched-trust.example"  # the custom domain (a link in the sites folder for 7a)
ALIAS = "desk-sched-trust.example"  # another name nginx serves the site's desk by
HOST_NAME = "desk-name-sched-trust.example"  # the site's host_name while a test sets it
ELSEWHERE = "other-site-sched-trust.example"  # a name in another site's "domains"
FREE = "free-sched-trust.example"  # nobody's name yet
PROFILE, TEAM = "Scheduler Profile", "Scheduler Team"
PUBLIC = "scheduler_integration.api.public"
NGINX = "/usr/sbin/nginx"
HUGE = 10**400  # a JSON number no float holds


def sites_path() -> str:
	return os.path.abspath(frappe.local.sites_path)


def this_site() -> str:
	"""The site's folder (``frappe.local.site`` is it while tests run)."""
	return os.path.basename(os.path.realpath(frappe.get_site_path()))


def other_sites() -> list[str]:
	"""The bench's other sites: real folders with a site config (never a link)."""
	sites = sites_path()
	return sorted(
		entry
		for entry in os.listdir(sites)
		if entry != this_site()
		and not os.path.islink(os.path.join(sites, entry))
		and os.path.isfile(os.path.join(sites, entry, "site_config.json"))
	)


def remove_link() -> None:
	"""The domain's link in the sites folder (a link only: never a real folder)."""
	link = os.path.join(sites_path(), DOMAIN)
	if os.path.islink(link):
		os.unlink(link)


def config_path(site: str) -> str:
	return os.path.join(sites_path(), site, "site_config.json")


def site_config(site: str) -> dict:
	return frappe.get_file_json(config_path(site))


def restore_configs() -> None:
	"""What a run stopped half-way may have left in this or another site's config."""
	if site_config(this_site()).get("host_name") == f"https://{HOST_NAME}":
		update_site_config("host_name", "None", site_config_path=config_path(this_site()))
	for site in other_sites():
		domains = site_config(site).get("domains")
		if isinstance(domains, list) and ELSEWHERE in domains:
			rest = [d for d in domains if d != ELSEWHERE]
			update_site_config("domains", rest or "None", site_config_path=config_path(site))


def shown(response) -> str:
	"""A page's text for a failure message (Frappe's error pages say what went wrong)."""
	text = re.sub(r"<[^>]+>", " ", response.text.split("<body", 1)[-1])
	return f"{response.status_code}: " + re.sub(r"\s+", " ", text)[:1000]


def free_port() -> int:
	sock = socket.socket()
	sock.bind(("127.0.0.1", 0))
	port = sock.getsockname()[1]
	sock.close()
	return port


class PrivateNginx:
	"""Debian's nginx as this test's own process, never the system's service: its config,
	pid, logs and temp files in a temp folder, listening on a free loopback port. The
	server block is bench's (``bench setup nginx`` with DNS multitenancy and
	``bench setup add-domain``): a map from each host name to its site, passed on in
	``X-Frappe-Site-Name``, and ``Host`` as the browser sent it."""

	def __init__(self, upstream: int, names: dict[str, str]):
		self.dir = tempfile.mkdtemp(prefix="sched-nginx-")
		self.port = free_port()
		d = self.dir
		mapped = "".join(f"\t\t{name} {site};\n" for name, site in names.items())
		user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
		config = f"""{user}worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 64; }}
http {{
	access_log {d}/access.log;
	client_body_temp_path {d}/body;
	proxy_temp_path {d}/proxy;
	fastcgi_temp_path {d}/fastcgi;
	uwsgi_temp_path {d}/uwsgi;
	scgi_temp_path {d}/scgi;
	upstream sched-test-frappe {{ server 127.0.0.1:{upstream} fail_timeout=0; }}
	map $host $site_name_sched {{
{mapped}		default $host;
	}}
	server {{
		listen 127.0.0.1:{self.port};
		server_name {" ".join(names)};
		root {sites_path()};
		location / {{
			rewrite ^(.+)/$ $1 permanent;
			try_files /$site_name_sched/public/$uri @webserver;
		}}
		location @webserver {{
			proxy_http_version 1.1;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_set_header X-Forwarded-Proto $scheme;
			proxy_set_header X-Frappe-Site-Name $site_name_sched;
			proxy_set_header Host $host;
			proxy_set_header X-Use-X-Accel-Redirect True;
			proxy_read_timeout 120;
			proxy_redirect off;
			proxy_pass http://sched-test-frappe;
		}}
	}}
}}
"""
		path = os.path.join(d, "nginx.conf")
		with open(path, "w") as f:
			f.write(config)
		# -e: the error log before the config is read (the built-in one is root's /var/log)
		self.process = subprocess.Popen(
			[NGINX, "-p", f"{d}/", "-c", path, "-e", f"{d}/error.log"],
			stdout=subprocess.DEVNULL,
			stderr=subprocess.DEVNULL,
		)
		deadline = time.monotonic() + 20
		while time.monotonic() < deadline and self.process.poll() is None:
			try:
				socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
				return
			except OSError:
				time.sleep(0.1)
		log = self.log()
		self.close()
		raise RuntimeError(f"the test's nginx did not start: {log}")

	def log(self) -> str:
		try:
			with open(os.path.join(self.dir, "error.log")) as f:
				return f.read()[-2000:]
		except OSError:
			return ""

	@property
	def base(self) -> str:
		return f"http://127.0.0.1:{self.port}"

	def close(self) -> None:
		if self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(10)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait(10)
		shutil.rmtree(self.dir, ignore_errors=True)


def delete_fixtures() -> None:
	"""The teams and routing form of this module (also what a killed run left)."""
	for form in frappe.get_all("Scheduler Routing Form", {"slug": FORM_SLUG}, pluck="name"):
		frappe.db.delete("Scheduler Routing Submission", {"form": form})
		frappe.delete_doc("Scheduler Routing Form", form, ignore_permissions=True, force=True)
		frappe.db.delete("Version", {"ref_doctype": "Scheduler Routing Form", "docname": form})
	for team in frappe.get_all(TEAM, {"slug": TEAM_SLUG}, pluck="name"):
		frappe.delete_doc(TEAM, team, ignore_permissions=True, force=True, delete_permanently=True)
		frappe.db.delete("Version", {"ref_doctype": TEAM, "docname": team})
		frappe.db.delete("Comment", {"reference_doctype": TEAM, "reference_name": team})
	frappe.db.commit()


class TestTrustDoors(SchedulerTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		remove_link()
		restore_configs()
		cleanup([H, OTHER, M])
		delete_fixtures()
		try:
			cls._saved = set_settings(**NO_RATE_LIMITS)
			cls.outbox = Outbox()  # the one booking's emails go to a local sink
			make_user(M, roles=("Scheduler Manager",))
			cls.ph = make_host(H, H_SLUG)
			cls.po = make_host(OTHER, O_SLUG)
			make_type(cls.ph, "trust-call", 30, questions=[{"label": "Seats", "fieldtype": "Number"}])
			make_type(cls.po, "other-call", 30)
			# a round-robin type without a team: what made unknown team slugs fail (item 10)
			make_type(cls.ph, "trust-pair", 30, assignment="Round Robin", hosts=[{"user": H}])
			frappe.set_user(H)  # a host starts the team and becomes its admin
			cls.team = (
				frappe.get_doc({"doctype": TEAM, "title": "Trust Team", "slug": TEAM_SLUG}).insert().name
			)
			frappe.set_user("Administrator")
			cls.form = (
				frappe.get_doc(
					{
						"doctype": "Scheduler Routing Form",
						"title": "Trust route",
						"slug": FORM_SLUG,
						"user": H,
						"questions": [
							{"question_key": "email", "label": "Email", "fieldtype": "Email", "required": 1},
							{"question_key": "seats", "label": "Seats", "fieldtype": "Number"},
						],
						"rules": [{"rule_name": "big", "outcome": "Message", "message": "A big one"}],
						"conditions": [
							{"rule": "big", "question": "seats", "operator": "at least", "value": "100"}
						],
						"fallback_outcome": "Message",
						"fallback_message": "Thanks",
					}
				)
				.insert(ignore_permissions=True)
				.name
			)
			frappe.db.commit()
			cls.server = LiveServer.get_instance()
			cls.as_h = cls.server.session(H)
			cls.as_o = cls.server.session(OTHER)
			cls.as_m = cls.server.session(M)
			cls.day = future_day(12)
		except Exception:
			cls.tearDownClass()
			raise

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.set_user("Administrator")
		remove_link()
		restore_configs()
		if hasattr(cls, "outbox"):
			cls.outbox.close()
		if hasattr(cls, "_saved"):
			set_settings(**cls._saved)
		delete_fixtures()
		cleanup([H, OTHER, M], delete_users=True)
		super().tearDownClass()

	def setUp(self):
		# no test starts with a domain another one gave (also when that one failed half-way)
		for doctype, name in ((PROFILE, self.ph), (PROFILE, self.po), (TEAM, self.team)):
			if self.stored(doctype, name):
				self.set_domain(doctype, name, None)

	# --- helpers -------------------------------------------------------------------------------

	def stored(self, doctype: str, name: str) -> str | None:
		frappe.db.rollback()  # a fresh snapshot: the server committed
		return frappe.db.get_value(doctype, name, "custom_domain")

	def signed_in_at(self, user: str, host: str, base: str | None = None) -> requests.Session:
		"""A session of ``user`` that reaches the site as ``host``: behind ``base`` (nginx),
		or straight at the server, named as nginx names the site. (Cookies go with the Host
		they were set for.)"""
		session = requests.Session()
		session.headers["Host"] = host
		if base is None:
			session.headers["X-Frappe-Site-Name"] = self.server.site
		r = session.post(
			f"{base or self.server.base}/api/method/login", json={"usr": user, "pwd": PASSWORD}, timeout=60
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		return session

	def put(self, session, doctype: str, name: str, value, base: str | None = None):
		return session.put(
			f"{base or self.server.base}/api/resource/{doctype}/{name}",
			json={"custom_domain": value},
			timeout=60,
		)

	def set_domain(self, doctype: str, name: str, value) -> None:
		"""As the site administrator in the desk would (a manager's change, committed)."""
		frappe.db.rollback()  # the latest version: the server changed it
		doc = frappe.get_doc(doctype, name)
		doc.custom_domain = value
		doc.save()
		frappe.db.commit()

	def assert_refused(self, r, doctype: str, name: str, before, why: str):
		self.assertEqual(r.status_code, 400, f"{why}: {r.status_code} {r.text[:300]}")
		self.assertIn("already answers to", r.text, why)
		self.assertEqual(self.stored(doctype, name), before, why)

	def check_domain_pages(self, get) -> None:
		"""What the domain serves (``get(path)``): the profile's page and types, nothing else."""
		root = get("/")
		self.assertEqual(root.status_code, 200, shown(root))
		self.assertTrue('id="sched-data"' in root.text, f"not the profile's page: {shown(root)}")
		data = page_json(root.text)
		self.assertEqual(data["profile"]["display_name"], H_NAME)
		self.assertEqual([t["url"] for t in data["meeting_types"]], ["/trust-call", "/trust-pair"])
		page = get("/trust-call")
		self.assertEqual(page.status_code, 200, shown(page))
		self.assertEqual(page_json(page.text)["meeting_type"]["slug"], "trust-call")
		for path in (
			f"/book/{O_SLUG}",
			f"/book/{O_SLUG}/other-call",
			f"/book/{H_SLUG}",
			"/login",
			"/other-call",
		):
			self.assertEqual(get(path).status_code, 404, path)

	# --- 6. who sets a custom domain, and which ------------------------------------------------

	def test_a_name_in_the_sites_own_domains_is_a_domain_set_up_for_it(self):
		"""Issue 50, item 27, decided: ``bench setup add-domain`` writes a custom domain into the
		site's own ``domains``, which is how it reaches the site (docs/booking-pages.md), so a
		name there may be given to a profile; the site's folder name and ``host_name`` may not."""
		name = "added-sched-trust.example"
		frappe.local.conf["domains"] = [name]
		try:
			self.set_domain(PROFILE, self.ph, name)
			self.assertEqual(self.stored(PROFILE, self.ph), name)
			frappe.db.rollback()
			doc = frappe.get_doc(PROFILE, self.ph)
			doc.custom_domain = this_site()
			with self.assertRaises(frappe.ValidationError) as refused:
				doc.save()
			self.assertIn("already answers to", refused.exception.errors["custom_domain"])
			frappe.local.message_log = []
		finally:
			frappe.db.rollback()
			frappe.local.conf.pop("domains", None)
			self.set_domain(PROFILE, self.ph, None)

	def test_custom_domain_is_a_managers_and_never_a_name_already_served(self):
		url = method_url(self.server, "frappe.client.set_value")
		# a plain host: Frappe drops the change of a permlevel-1 field it may not write
		r = self.put(self.as_o, PROFILE, self.po, FREE)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertIsNone(r.json()["data"].get("custom_domain"))
		self.assertIsNone(self.stored(PROFILE, self.po))
		r = self.as_o.post(
			url,
			data={"doctype": PROFILE, "name": self.po, "fieldname": "custom_domain", "value": FREE},
			timeout=60,
		)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertIsNone(self.stored(PROFILE, self.po))
		# a team's admin neither
		r = self.put(self.as_h, TEAM, self.team, FREE)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertIsNone(self.stored(TEAM, self.team))

		# a manager gives an unused name; the host cannot change or drop it
		r = self.put(self.as_m, PROFILE, self.po, FREE)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(self.stored(PROFILE, self.po), FREE)
		for value in ("mine-sched-trust.example", None):
			self.put(self.as_o, PROFILE, self.po, value)
			self.as_o.post(
				url,
				data={
					"doctype": PROFILE,
					"name": self.po,
					"fieldname": "custom_domain",
					"value": value or "",
				},
				timeout=60,
			)
			self.assertEqual(self.stored(PROFILE, self.po), FREE)
		try:
			self._check_served_names()
		finally:
			restore_configs()
			self.set_domain(PROFILE, self.po, None)

	def _check_served_names(self):
		# the site's own name, through the profile and through the team
		r = self.put(self.as_m, PROFILE, self.po, self.server.site)
		self.assert_refused(r, PROFILE, self.po, FREE, "the site's own name")
		r = self.put(self.as_m, TEAM, self.team, self.server.site)
		self.assert_refused(r, TEAM, self.team, None, "the site's own name, for a team")
		# the name the desk is reached by: the request's Host (nginx names the site)
		r = self.put(self.signed_in_at(M, ALIAS), PROFILE, self.po, ALIAS)
		self.assert_refused(r, PROFILE, self.po, FREE, "the Host the manager's request used")
		# the site's host_name
		update_site_config("host_name", f"https://{HOST_NAME}", site_config_path=config_path(this_site()))
		try:
			r = self.put(self.as_m, PROFILE, self.po, HOST_NAME)
			self.assert_refused(r, PROFILE, self.po, FREE, "the site's host_name")
		finally:
			update_site_config("host_name", "None", site_config_path=config_path(this_site()))
		# another site of the bench: its folder, and a name in its domains
		others = other_sites()
		if others:
			other = others[0]
			r = self.put(self.as_m, PROFILE, self.po, other)
			self.assert_refused(r, PROFILE, self.po, FREE, f"the bench's site {other}")
			previous = site_config(other).get("domains")
			update_site_config("domains", [*(previous or []), ELSEWHERE], site_config_path=config_path(other))
			try:
				r = self.put(self.as_m, PROFILE, self.po, ELSEWHERE)
				self.assert_refused(r, PROFILE, self.po, FREE, f"a domain of {other}")
			finally:
				update_site_config(
					"domains",
					previous if previous is not None else "None",
					site_config_path=config_path(other),
				)
		# the team takes an unused name from a manager, as the profile did
		r = self.put(self.as_m, TEAM, self.team, "team-sched-trust.example")
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(self.stored(TEAM, self.team), "team-sched-trust.example")
		self.set_domain(TEAM, self.team, None)

	# --- 7. a custom domain on a bare gunicorn and behind nginx --------------------------------

	def test_custom_domain_through_a_link_in_the_sites_folder(self):
		"""The README's bare-gunicorn set-up: ``sites/<domain> → <site>``; Frappe picks the
		site by the Host and calls it by the link's name."""
		os.symlink(this_site(), os.path.join(sites_path(), DOMAIN))
		try:
			# a link to this site is a domain set up for it: a manager may give it
			r = self.put(self.as_m, PROFILE, self.ph, DOMAIN)
			self.assertEqual(r.status_code, 200, r.text[:300])
			self.assertEqual(self.stored(PROFILE, self.ph), DOMAIN)

			def get(path):
				return requests.get(
					self.server.base + path, headers={"Host": DOMAIN}, timeout=60, allow_redirects=False
				)

			self.check_domain_pages(get)
			# the site's own name keeps every page
			self.assertEqual(self.server.get(f"/book/{O_SLUG}/other-call").status_code, 200)
		finally:
			remove_link()
			self.set_domain(PROFILE, self.ph, None)

	def test_custom_domain_behind_nginx(self):
		if not os.access(NGINX, os.X_OK):
			self.skipTest(f"nginx is not installed ({NGINX})")
		site = self.server.site
		proxy = PrivateNginx(self.server.port, {site: site, DOMAIN: site, ALIAS: site})
		try:
			# the manager, at the site's own name through nginx, gives the domain
			r = self.put(self.signed_in_at(M, site, proxy.base), PROFILE, self.ph, DOMAIN, proxy.base)
			self.assertEqual(r.status_code, 200, r.text[:300])
			self.assertEqual(self.stored(PROFILE, self.ph), DOMAIN)

			def get(path):
				return requests.get(
					proxy.base + path, headers={"Host": DOMAIN}, timeout=60, allow_redirects=False
				)

			self.check_domain_pages(get)
			# another name nginx serves the desk by is no one's custom domain
			r = self.put(self.signed_in_at(M, ALIAS, proxy.base), PROFILE, self.po, ALIAS, proxy.base)
			self.assert_refused(r, PROFILE, self.po, None, "the name the desk is reached by, behind nginx")
			r = requests.get(
				proxy.base + "/login", headers={"Host": ALIAS}, timeout=60, allow_redirects=False
			)
			self.assertEqual(r.status_code, 200, "the desk's own name keeps the site's pages")
		finally:
			proxy.close()
			for name in (self.ph, self.po):
				self.set_domain(PROFILE, name, None)

	# --- 10. unknown team slugs -----------------------------------------------------------------

	def test_unknown_team_slug_is_not_found(self):
		ghost = f"sched-no-team-{frappe.generate_hash(length=8).lower()}"
		start = self.day + timedelta(hours=10)
		answers = {
			"get_page": requests.get(
				method_url(self.server, f"{PUBLIC}.get_page"),
				params={"team": ghost},
				headers={"Host": self.server.site},
				timeout=60,
			),
			"get_slots": requests.get(
				method_url(self.server, f"{PUBLIC}.get_slots"),
				params={
					"team": ghost,
					"meeting_type": "trust-pair",
					"start": iso(self.day),
					"end": iso(self.day + timedelta(days=1)),
					"timezone": "UTC",
				},
				headers={"Host": self.server.site},
				timeout=60,
			),
			"book": requests.post(
				method_url(self.server, f"{PUBLIC}.book"),
				json={
					"team": ghost,
					"meeting_type": "trust-pair",
					"start": iso(start),
					"name": "Gus Guest",
					"email": "gus@example.org",
					"timezone": "UTC",
				},
				headers={"Host": self.server.site},
				timeout=60,
			),
		}
		for method, r in answers.items():
			self.assertEqual(r.status_code, 404, f"{method}: {r.text[:300]}")
			self.assertEqual(body(r)["code"], "NOT_FOUND", method)
			self.assertEqual(problems_of(r), [], method)
		for path in (f"/book/team/{ghost}", f"/book/team/{ghost}/trust-pair"):
			r = self.server.get(path, timeout=60)
			self.assertEqual(r.status_code, 404, path)
			self.assertNotIn("Traceback", r.text, path)

	# --- 11. a number past any float --------------------------------------------------------------

	def test_a_number_past_any_float_is_a_field_error(self):
		r = requests.post(
			method_url(self.server, f"{PUBLIC}.book"),
			json={
				"profile": H_SLUG,
				"meeting_type": "trust-call",
				"start": iso(self.day + timedelta(hours=11)),
				"name": "Gus Guest",
				"email": "gus@example.org",
				"timezone": "UTC",
				"answers": {"Seats": HUGE},
			},
			headers={"Host": self.server.site},
			timeout=60,
		)
		self.assertEqual(r.status_code, 400, r.text[:300])
		self.assertEqual(list(body(r)["errors"]), ["answers.0"])
		self.assertEqual(problems_of(r), [])
		r = requests.post(
			method_url(self.server, "scheduler_integration.api.routing.submit"),
			json={"form": FORM_SLUG, "answers": {"email": "pat@example.org", "seats": HUGE}},
			headers={"Host": self.server.site},
			timeout=60,
		)
		self.assertEqual(r.status_code, 400, r.text[:300])
		self.assertEqual(list(body(r)["errors"]), ["answers.1"])
		self.assertEqual(problems_of(r), [])
		frappe.db.rollback()
		self.assertFalse(frappe.db.exists("Scheduler Routing Submission", {"form": self.form}))

	# --- 14. the wrong HTTP method ----------------------------------------------------------------

	def test_wrong_http_method_is_405_with_allow(self):
		guest = requests.Session()
		guest.headers["Host"] = self.server.site
		book_url = method_url(self.server, f"{PUBLIC}.book")
		page_url = method_url(self.server, f"{PUBLIC}.get_page")
		for who, session in (("a guest", guest), ("a host", self.as_h)):
			for r, allowed in (
				(
					session.get(
						book_url, params={"profile": H_SLUG, "meeting_type": "trust-call"}, timeout=60
					),
					"POST",
				),
				(session.post(page_url, data={"profile": H_SLUG}, timeout=60), "GET"),
			):
				why = f"{who}: {r.request.method} {r.request.path_url}"
				self.assertEqual(r.status_code, 405, f"{why}: {r.text[:300]}")
				self.assertEqual(body(r)["code"], "METHOD_NOT_ALLOWED", why)
				self.assertIn(allowed, [m.strip() for m in r.headers.get("Allow", "").split(",")], why)
				self.assertEqual(problems_of(r), [], why)
		# the right methods still work
		r = guest.get(page_url, params={"profile": H_SLUG}, timeout=60)
		self.assertEqual(r.status_code, 200, r.text[:300])
		self.assertEqual(body(r)["data"]["profile"]["display_name"], H_NAME)
		r = guest.post(
			book_url,
			json={
				"profile": H_SLUG,
				"meeting_type": "trust-call",
				"start": iso(self.day + timedelta(hours=13)),
				"name": "Gus Guest",
				"email": "gus@example.org",
				"timezone": "UTC",
			},
			timeout=60,
		)
		self.assertEqual(r.status_code, 201, r.text[:300])

	# --- 16. a test class hands the bot check back ---------------------------------------------

	def test_a_test_class_hands_the_sites_bot_check_back(self):
		def committed() -> int:
			frappe.db.rollback()  # nothing uncommitted survives this: what follows is committed
			rows = frappe.db.sql(
				"select value from `tabSingles` where doctype = %s and field = %s",
				("Scheduler Settings", "booking_challenge_bits"),
			)
			return int(rows[0][0]) if rows and rows[0][0] is not None else 0

		def set_bits(bits: int) -> None:
			store(booking_challenge_bits=bits)
			frappe.db.commit()

		class Throwaway(SchedulerTestCase):
			pass

		set_bits(12)  # the site's own setting (this class runs with 0)
		try:
			Throwaway.setUpClass()
			try:
				self.assertEqual(committed(), 0, "the proof of work is off while a test class runs")
			finally:
				Throwaway.tearDownClass()
				Throwaway.doClassCleanups()
			self.assertEqual(committed(), 12, "the class handed the site's setting back")
		finally:
			set_bits(0)
