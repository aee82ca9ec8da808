"""A routing form's page (``/book/route/<slug>``): its questions; the answers go to
``api.routing.submit``, which says where the prospect goes next
(``public/js/routing_form.js``). Embeddable like the booking pages (``?embed=1``)."""

import frappe

from scheduler_integration.scheduler_integration.doctype.scheduler_routing_form.submissions import (
	page_data,
)
from scheduler_integration.www.book.page_utils import fill, read_page

no_cache = 1


def get_context(context):
	form = read_page(context, page_data, frappe.form_dict.get("slug"), frappe.form_dict)
	if form is None:
		return context
	data = {
		"profile": {"display_name": form["title"], "description": "", "brand_color": "", "logo": ""},
		"organization": form.pop("organization"),
		"form": form,
	}
	fill(context, "route", data)
	context.form = form
	context.title = form["title"]
	return context
