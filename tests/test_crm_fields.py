"""Which CRM record fields a guest's answer may fill (rules.crm_fields, issue 37 item 5): an
allow-list of plain data fields, judged per field (``refusal``) and per mapping across the
site's CRM records (``mapping_refusal``)."""

from __future__ import annotations

import pytest

from scheduler_integration.engine.errors import InvalidField
from scheduler_integration.rules.crm_fields import (
	PLAIN_TYPES,
	Field,
	mapping_refusal,
	refusal,
	valid_name,
)

SAYS_WHO = "{0} says who the record is, who has it or where it stands"
NOT_A_NAME = "{0} is not a field name"
NOT_PLAIN_TYPE = "{0} is a {1} field: answers fill only text, numbers and choices"
NOT_PLAIN_DATA = "{0} holds a {1}, not plain text"
NOT_BY_HAND = "{0} is not filled in by hand"
NOWHERE = "No CRM record of this site has a field {0}"


def reason(error: InvalidField | None):
	"""(template, args) of a refusal, None when the field may be filled."""
	if error is None:
		return None
	assert isinstance(error, InvalidField)
	assert error.field == "crm_field"
	return error.template, error.args_


# the fields issue 37 found writable, as Frappe CRM and ERPNext (v15) declare them
ISSUE_FIELDS = [
	("CRM Lead", Field("communication_status", "Link", "CRM Communication Status")),
	("CRM Deal", Field("communication_status", "Link", "CRM Communication Status")),
	("CRM Lead", Field("converted", "Check")),
	("Lead", Field("qualification_status", "Select", "Unqualified\nIn Process\nQualified")),
	("Lead", Field("qualified_by", "Link", "User")),
	("Lead", Field("disabled", "Check")),
	("Lead", Field("unsubscribed", "Check")),
	("Opportunity", Field("contact_email", "Data", "Email")),
	("Opportunity", Field("sales_stage", "Link", "Sales Stage")),
	("Customer", Field("is_frozen", "Check")),
	("Customer", Field("disabled", "Check")),
]


@pytest.mark.parametrize(("doctype", "field"), ISSUE_FIELDS, ids=lambda v: getattr(v, "fieldname", v))
def test_the_issues_status_and_flag_fields_are_refused(doctype, field):
	assert refusal(field) is not None
	assert mapping_refusal(field.fieldname, {doctype: field, "CRM Lead": None}) is not None


def test_plain_data_fields_may_be_filled():
	for field in (
		Field("job_title", "Data"),
		Field("company_name", "Data"),
		Field("phone", "Data", "Phone"),
		Field("website", "Data", "URL"),
		Field("no_of_employees", "Select", "1-10\n11-50"),
		Field("annual_revenue", "Currency"),
		Field("seats", "Int"),
		Field("share", "Percent"),
		Field("score", "Float"),
		Field("about", "Small Text"),
		Field("story", "Long Text"),
		Field("details", "Text"),
	):
		assert refusal(field) is None, field
	assert {"Data", "Select", "Int", "Float", "Currency", "Percent"} <= PLAIN_TYPES


@pytest.mark.parametrize("name", [None, 7, "", "Job_Title", "1st", "job title", "job-title", "x" * 141, "é"])
def test_a_name_that_is_no_field_name_is_refused(name):
	assert not valid_name(name)
	assert reason(mapping_refusal(name, {"CRM Lead": Field("job_title", "Data")})) == (NOT_A_NAME, (name,))
	if isinstance(name, str):
		assert reason(refusal(Field(name, "Data"))) == (NOT_A_NAME, (name,))


def test_a_name_of_up_to_140_characters_is_a_name():
	assert valid_name("a") and valid_name("a" + "b" * 139) and valid_name("no_of_employees2")


@pytest.mark.parametrize(
	"name",
	[
		# who the record is, who has it
		"name",
		"owner",
		"docstatus",
		"idx",
		"naming_series",
		"title",
		"email",
		"email_id",
		"amended_from",
		"company",
		"currency",
		# where it stands, by whom, under which manager
		"status",
		"stage",
		"state",
		"by",
		"lead_owner",
		"deal_owner",
		"communication_status",
		"sla_status",
		"sales_stage",
		"billing_state",
		"contact_email",
		"qualified_by",
		"account_manager",
		"custom_series",
		# how it behaves
		"is_frozen",
		"is_internal_customer",
		"has_consent",
	],
)
def test_names_that_say_who_or_where_are_refused_whatever_their_type(name):
	assert reason(refusal(Field(name, "Data"))) == (SAYS_WHO, (name,))
	assert reason(mapping_refusal(name, {"CRM Lead": Field(name, "Data")})) == (SAYS_WHO, (name,))
	assert reason(mapping_refusal(name, {})) == (SAYS_WHO, (name,))  # no CRM app: refused by name


@pytest.mark.parametrize(
	"name", ["company_name", "job_title", "status_note", "stateless", "email_count", "history", "isolation"]
)
def test_names_only_like_the_never_names_are_not_refused_by_name(name):
	assert refusal(Field(name, "Data")) is None


@pytest.mark.parametrize(
	"fieldtype",
	[
		"Link",
		"Dynamic Link",
		"Check",
		"Table",
		"Table MultiSelect",
		"Read Only",
		"Date",
		"Datetime",
		"Attach",
		"Password",
		"Text Editor",
		"JSON",
		"",
	],
)
def test_only_plain_types_may_be_filled(fieldtype):
	assert reason(refusal(Field("notes_x", fieldtype))) == (NOT_PLAIN_TYPE, ("notes_x", fieldtype))


@pytest.mark.parametrize("options", ["Email", "Name", "Barcode", "IBAN", "Color", "Icon", " Email "])
def test_data_that_holds_an_identity_or_a_code_is_not_plain_text(options):
	assert reason(refusal(Field("other_x", "Data", options))) == (
		NOT_PLAIN_DATA,
		("other_x", options.strip()),
	)


def test_options_matter_for_data_only():
	assert refusal(Field("colour_pick", "Select", "Color\nIcon")) is None
	assert refusal(Field("web_x", "Data", "URL")) is None


@pytest.mark.parametrize(
	"flags",
	[{"read_only": True}, {"hidden": True}, {"set_only_once": True}, {"fetch_from": "organization.website"}],
)
def test_what_is_not_filled_in_by_hand_is_refused(flags):
	assert reason(refusal(Field("website", "Data", **flags))) == (NOT_BY_HAND, ("website",))


def test_a_mapping_needs_the_field_somewhere_on_the_sites_records():
	assert reason(mapping_refusal("designation", {"CRM Lead": None, "Lead": None})) == (
		NOWHERE,
		("designation",),
	)


def test_a_mapping_is_allowed_when_some_record_holds_the_field_as_plain_data():
	# a Deal fetches its annual revenue from the organization; a Lead's is typed in
	fields = {
		"CRM Deal": Field("annual_revenue", "Currency", fetch_from=".annual_revenue"),
		"CRM Lead": Field("annual_revenue", "Currency"),
		"Customer": None,
	}
	assert mapping_refusal("annual_revenue", fields) is None
	assert mapping_refusal("job_title", {"CRM Lead": Field("job_title", "Data"), "Lead": None}) is None


def test_a_mapping_no_record_holds_as_plain_data_is_refused_with_the_first_reason():
	fields = {
		"CRM Deal": Field("industry", "Link", "CRM Industry"),
		"Lead": Field("industry", "Link", "Industry Type"),
		"Opportunity": None,
	}
	assert reason(mapping_refusal("industry", fields)) == (NOT_PLAIN_TYPE, ("industry", "Link"))
	fields = {"CRM Lead": Field("website", "Data", read_only=True), "Customer": Field("website", "Check")}
	assert reason(mapping_refusal("website", fields)) == (NOT_BY_HAND, ("website",))


def test_a_site_without_a_crm_app_judges_the_name_alone():
	# nothing is written until a CRM record DocType exists; each write checks its field again
	for name in ("no_of_employees", "converted", "job_title"):
		assert mapping_refusal(name, {}) is None
	assert reason(mapping_refusal("Bad Name", {})) == (NOT_A_NAME, ("Bad Name",))
