"""Email and SMS templates rendered with Frappe's Jinja environment, each source compiled
once per process.

``frappe.render_template`` compiles its source on every call, and a booking's effects
render four to six templates (subjects and bodies): compiling was about a tenth of the
effects' time. The compiled code does not depend on the environment it was made in, so it
is kept per site and source, and every render builds its template in the current
environment (Frappe's sandbox, filters and globals), with Frappe's own guard against
templates that reach for dunder attributes.
"""

from __future__ import annotations

import frappe
from frappe import _

_MAX = 512  # distinct sources kept; a site has a few dozen
_CODE: dict[tuple[str, str], object] = {}


def render(source: str | None, context: dict) -> str:
	if not source:
		return ""
	if ".__" in source:
		frappe.throw(_("Illegal template"))
	jenv = frappe.get_jenv()
	key = (frappe.local.site, source)
	code = _CODE.get(key)
	if code is None:
		code = jenv.compile(source)
		if len(_CODE) >= _MAX:
			_CODE.clear()
		_CODE[key] = code
	return jenv.template_class.from_code(jenv, code, jenv.make_globals(None), None).render(context)
