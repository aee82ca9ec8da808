"""Lighthouse on the public booking pages, served as a production bench serves them: nginx
(gzip, static ``/assets`` with long cache headers, the rest proxied to gunicorn) in front of
a running web server.

    ~/frappe-bench/env/bin/python benchmarks/bench_lighthouse.py --site test.localhost \\
        --url http://127.0.0.1:8000 [--runs 3] [--port 8081]

Needs Debian's ``nginx`` and ``chromium`` and the npm package ``lighthouse`` (``npm install
lighthouse`` in any folder: pass ``--lighthouse <folder>/node_modules/.bin/lighthouse`` or
put it on PATH). The web server (gunicorn) must already serve the site at ``--url``. The
script:

1. creates its own host on the site (a profile with every day open, two meeting types);
2. starts nginx with a configuration of its own in a temporary folder, listening on
   ``--port`` and proxying to ``--url`` with the site's name as the Host header (the
   gzip types, ``/assets`` location and proxy headers of ``bench setup nginx``);
3. runs Lighthouse (performance, accessibility, best practices, SEO) ``--runs`` times on
   the host's page (``/book/<host>``) and on a type page (``/book/<host>/<type>``), as a
   phone (Lighthouse's default: simulated slow 4G and 4x slower CPU) and as a desktop
   (``--preset=desktop``), and prints the median of each figure with its target;
4. stops nginx and removes the host and everything it made.

Targets (issue 41): performance >= 95 and accessibility 100 on both pages, phone and
desktop; SEO 100; at most 100 KB transferred. The exit status is 1 when one is missed, or
when a page answered an error (a 429 of the per-IP page limit would spoil the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import connect  # noqa: E402  (the benchmarks' one way into the site)

HOST = "bench-lighthouse@example.com"
PROFILE = "bench-lighthouse"
TYPES = ("intro-call", "deep-dive")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# figure: (label, target, higher is better)
TARGETS = {
	"performance": ("performance", 95, True),
	"accessibility": ("accessibility", 100, True),
	"seo": ("SEO", 100, True),
	"kb": ("transferred KB", 100, False),
}
NGINX = """
user {user};
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log {tmp}/access.log;
	client_body_temp_path {tmp}/body;
	proxy_temp_path {tmp}/proxy;
	fastcgi_temp_path {tmp}/fastcgi;
	uwsgi_temp_path {tmp}/uwsgi;
	scgi_temp_path {tmp}/scgi;
	upstream lighthouse-frappe {{ server {upstream} fail_timeout=0; }}
	server {{
		listen 127.0.0.1:{port};
		server_name _;
		root {sites};
		proxy_buffer_size 128k;
		proxy_buffers 4 256k;
		proxy_busy_buffers_size 256k;
		location /assets {{
			try_files $uri =404;
			add_header Cache-Control "max-age=31536000";
		}}
		location ~ ^/protected/(.*) {{
			internal;
			try_files /{site}/$1 =404;
		}}
		location / {{
			rewrite ^(.+)/$ $1 permanent;
			rewrite ^(.+)/index\\.html$ $1 permanent;
			rewrite ^(.+)\\.html$ $1 permanent;
			try_files /{site}/public/$uri @webserver;
		}}
		location @webserver {{
			proxy_http_version 1.1;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_set_header X-Forwarded-Proto $scheme;
			proxy_set_header X-Frappe-Site-Name {site};
			proxy_set_header Host {site};
			proxy_set_header X-Use-X-Accel-Redirect True;
			proxy_read_timeout 120;
			proxy_redirect off;
			proxy_pass http://lighthouse-frappe;
		}}
		sendfile on;
		keepalive_timeout 15;
		gzip on;
		gzip_http_version 1.1;
		gzip_comp_level 5;
		gzip_min_length 256;
		gzip_proxied any;
		gzip_vary on;
		gzip_types application/javascript application/json application/xml image/svg+xml
			image/x-icon text/css text/plain;
	}}
}}
"""


ABOUT: dict[str, str] = {}  # the Lighthouse and browser versions of the last run


def make_data() -> None:
	import frappe

	from scheduler_integration.tests.factory import make_host, make_type

	profile = make_host(HOST, PROFILE, tz="Europe/Berlin", start="08:00", end="18:00")
	frappe.db.set_value(
		"Scheduler Profile",
		profile,
		{"display_name": "Alex Morgan", "description": "Product advice for small teams."},
	)
	make_type(
		profile,
		TYPES[0],
		30,
		title="Intro call",
		description="A first call: what you need, and whether we are a fit.",
		location_type="Phone",
	)
	make_type(profile, TYPES[1], 60, title="Deep dive", description="An hour on your product's plan.")
	frappe.db.commit()
	frappe.cache.delete_keys("scheduler_integration:")


def remove_data() -> None:
	from scheduler_integration.tests.live import cleanup

	cleanup([HOST], delete_users=True, force_users=True)


def start_nginx(nginx: str, tmp: Path, port: int, upstream: str, site: str, sites: str) -> subprocess.Popen:
	for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
		(tmp / folder).mkdir(exist_ok=True)
	conf = tmp / "nginx.conf"
	# its workers read the bench's files as this user (a root master would make them nobody)
	user = pwd.getpwuid(os.getuid()).pw_name
	conf.write_text(NGINX.format(user=user, tmp=tmp, port=port, upstream=upstream, site=site, sites=sites))
	process = subprocess.Popen(
		[nginx, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf), "-g", "daemon off;"],
		stdout=subprocess.DEVNULL,
		stderr=subprocess.PIPE,
	)
	for _ in range(50):
		try:
			requests.get(f"http://127.0.0.1:{port}/assets/frappe/images/frappe-favicon.svg", timeout=2)
			return process
		except requests.ConnectionError:
			if process.poll() is not None:
				raise SystemExit("nginx did not start: " + process.stderr.read().decode()) from None
			time.sleep(0.1)
	raise SystemExit("nginx did not answer")


def lighthouse(command: str, chrome: str, url: str, form: str, out: Path) -> dict:
	args = [
		*command.split(),
		url,
		"--quiet",
		"--output=json",
		f"--output-path={out}",
		f"--chrome-flags={CHROME_FLAGS}",
		"--only-categories=" + ",".join(CATEGORIES),
	]
	if form == "desktop":
		args.append("--preset=desktop")
	subprocess.run(args, check=True, env={**os.environ, "CHROME_PATH": chrome}, timeout=300)
	report = json.loads(out.read_text())
	if report.get("runtimeError"):
		raise SystemExit(f"Lighthouse on {url}: {report['runtimeError']}")
	ABOUT.update(lighthouse=report["lighthouseVersion"], browser=report["environment"]["hostUserAgent"])
	audits = report["audits"]
	statuses = [
		(r["url"], r.get("statusCode"))
		for r in audits["network-requests"]["details"]["items"]
		if (r.get("statusCode") or 0) >= 400
	]
	figures = {name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES}
	figures.update(
		kb=audits["total-byte-weight"]["numericValue"] / 1024,
		requests=len(audits["network-requests"]["details"]["items"]),
		fcp=audits["first-contentful-paint"]["numericValue"],
		lcp=audits["largest-contentful-paint"]["numericValue"],
		tbt=audits["total-blocking-time"]["numericValue"],
		cls=audits["cumulative-layout-shift"]["numericValue"],
		errors=statuses,
		failed=sorted(
			f"{category}: {ref['id']}"
			for category in ("accessibility", "seo", "best-practices")
			for ref in report["categories"][category]["auditRefs"]
			if ref["weight"] and audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 1
		),
	)
	return figures


def median(runs: list[dict]) -> dict:
	out = {
		key: statistics.median(run[key] for run in runs) for key in runs[0] if key not in ("errors", "failed")
	}
	out["errors"] = sorted({e for run in runs for e in run["errors"]})
	out["failed"] = sorted({f for run in runs for f in run["failed"]})
	return out


def report(results: dict) -> bool:
	met = True
	print()
	print(f"Lighthouse {ABOUT.get('lighthouse')}, {ABOUT.get('browser')}; medians of each figure")
	print(f"{'page':<10} {'device':<8} {'figure':<16} {'median':>8}   target")
	for (page, form), figures in results.items():
		for key, (label, target, higher) in TARGETS.items():
			value = figures[key]
			ok = value >= target if higher else value <= target
			met &= ok
			sign = ">=" if higher else "<="
			shown = f"{value:.1f}" if key == "kb" else f"{value:.0f}"
			print(f"{page:<10} {form:<8} {label:<16} {shown:>8}   {sign} {target} {'ok' if ok else 'MISSED'}")
		print(
			f"{'':<10} {'':<8} {'best practices':<16} {figures['best-practices']:>8.0f}   "
			f"(FCP {figures['fcp']:.0f} ms, LCP {figures['lcp']:.0f} ms, TBT {figures['tbt']:.0f} ms, "
			f"CLS {figures['cls']:.3f}, {figures['requests']:.0f} requests)"
		)
		if figures["failed"]:
			print(f"{'':<10} {'':<8} audits not passed: {', '.join(figures['failed'])}")
		if figures["errors"]:
			met = False
			print(f"{'':<10} {'':<8} ERRORS: {figures['errors']}")
	return met


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="test.localhost")
	parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running gunicorn")
	parser.add_argument("--bench", default=os.path.expanduser("~/frappe-bench"))
	parser.add_argument("--port", type=int, default=8081, help="nginx's port (free)")
	parser.add_argument("--runs", type=int, default=3, help="runs per page and device (median)")
	parser.add_argument("--lighthouse", default=shutil.which("lighthouse") or "npx --no-install lighthouse")
	parser.add_argument("--chrome", default="/usr/bin/chromium")
	parser.add_argument("--nginx", default="/usr/sbin/nginx")
	parser.add_argument("--reports", help="keep each Lighthouse JSON report in this folder")
	args = parser.parse_args()

	sites = str(Path(args.bench, "sites").resolve())
	upstream = args.url.split("://", 1)[-1].rstrip("/")
	connect(args.site, sites)
	tmp = Path(tempfile.mkdtemp(prefix="bench-lighthouse-"))
	nginx = None
	results = {}
	try:
		make_data()
		nginx = start_nginx(args.nginx, tmp, args.port, upstream, args.site, sites)
		base = f"http://127.0.0.1:{args.port}"
		pages = {"profile": f"{base}/book/{PROFILE}", "type": f"{base}/book/{PROFILE}/{TYPES[0]}"}
		for url in pages.values():
			r = requests.get(url, timeout=60, headers={"Accept-Encoding": "gzip"})
			if r.status_code != 200 or r.headers.get("Content-Encoding") != "gzip":
				raise SystemExit(f"{url}: {r.status_code} {r.headers.get('Content-Encoding')}")
		reports = Path(args.reports) if args.reports else tmp
		reports.mkdir(parents=True, exist_ok=True)
		for form in ("mobile", "desktop"):
			for name, url in pages.items():
				runs = []
				for n in range(args.runs):
					out = reports / f"{name}-{form}-{n + 1}.json"
					runs.append(lighthouse(args.lighthouse, args.chrome, url, form, out))
					print(
						f"{name} {form} run {n + 1}: performance {runs[-1]['performance']}, "
						f"accessibility {runs[-1]['accessibility']}, SEO {runs[-1]['seo']}, "
						f"{runs[-1]['kb']:.1f} KB",
						flush=True,
					)
				results[(name, form)] = median(runs)
	finally:
		if nginx is not None:
			nginx.send_signal(signal.SIGQUIT)
			try:
				nginx.wait(timeout=10)
			except subprocess.TimeoutExpired:
				nginx.kill()
		remove_data()
		if not args.reports:
			shutil.rmtree(tmp, ignore_errors=True)
	return 0 if report(results) else 1


if __name__ == "__main__":
	sys.exit(main())
