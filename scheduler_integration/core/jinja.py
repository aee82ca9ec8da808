"""Email and SMS templates rendered with Frappe's Jinja environment, each source compiled
once per process.

``frappe.render_template`` compiles its source on every call, and a booking's effects
render four to six templates (subjects and bodies): compiling was about a tenth of the
effects' time. The compiled code does not depend on the environment it was made in, so it
is kept per site and source, and every render builds its template in the current
environment (Frappe's sandbox, filters and globals), with Frappe's own guard against
templates that reach for dunder attributes.

A host's own templates (a meeting type's calendar event title and description) are
rendered by ``render_host_template`` in the same sandbox class but without Frappe's
globals: a host who may edit a meeting type must not read the database (``frappe.db``,
``frappe.get_doc``, …) through its template. They see only their context, Frappe's
filters and ``_``; an unknown name renders empty.
"""

from __future__ import annotations

import frappe
import jinja2
from frappe import _

_MAX = 512  # distinct sources kept; a site has a few dozen
_CODE: dict[tuple[str, str], object] = {}


def _render(env, cache: dict, key, source: str | None, context: dict, globals_: dict) -> str:
	"""Render ``source`` in ``env`` from its code compiled once (kept in ``cache`` by ``key``)."""
	if not source:
		return ""
	if ".__" in source:
		frappe.throw(_("Illegal template"))
	code = cache.get(key)
	if code is None:
		code = env.compile(source)
		if len(cache) >= _MAX:
			cache.clear()
		cache[key] = code
	return env.template_class.from_code(env, code, globals_, None).render(context)


def render(source: str | None, context: dict) -> str:
	if not source:
		return ""
	jenv = frappe.get_jenv()
	return _render(jenv, _CODE, (frappe.local.site, source), source, context, jenv.make_globals(None))


_HOST_ENV = None
_HOST_CODE: dict[str, object] = {}


def _host_env():
	"""Frappe's sandbox class and filters, no globals (made once per process)."""
	global _HOST_ENV
	if _HOST_ENV is None:
		from frappe.utils.jinja import set_filters

		env = type(frappe.get_jenv())(undefined=jinja2.ChainableUndefined, autoescape=False)
		set_filters(env)
		env.globals = {}
		_HOST_ENV = env
	return _HOST_ENV


def host_template_error(source: str | None) -> str | None:
	"""Why ``source`` cannot be a host's template (its syntax error), or None."""
	if not source:
		return None
	if ".__" in source:
		return _("Illegal template")
	try:
		_host_env().compile(source)
	except jinja2.TemplateSyntaxError as exc:
		return _("Line {0}: {1}").format(exc.lineno, exc.message)
	return None


def render_host_template(source: str | None, context: dict) -> str:
	"""Render a host's template (see above); raises on a broken one."""
	return _render(_host_env(), _HOST_CODE, source, source, context, {"_": _})
