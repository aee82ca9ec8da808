"""Helpers of the public booking pages."""

import json

import frappe


def safe_json(data) -> str:
	"""JSON that is safe inside <script type="application/json"> (no </script> breakout)."""
	text = json.dumps(data, ensure_ascii=False, default=str)
	return (
		text.replace("<", "\\u003c")
		.replace(">", "\\u003e")
		.replace("&", "\\u0026")
		.replace("\u2028", "\\u2028")
		.replace("\u2029", "\\u2029")
	)


def not_found():
	frappe.local.response.http_status_code = 404
	raise frappe.PageDoesNotExistError
