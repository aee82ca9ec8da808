"""Marks user-facing engine messages for translation without importing frappe.

``_`` returns its argument unchanged; Frappe's message extractor finds ``_("...")`` calls in
every Python file of the app, so these templates land in the translation files and the
Frappe layer translates them with ``frappe._(error.template).format(*error.args_)``.
"""


def _(message: str) -> str:
	return message
