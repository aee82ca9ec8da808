"""Who may set which booking field (issue 26: field ownership, one table for every entry point)."""

import pytest

from scheduler_integration.engine.booking_fields import (
	DERIVED,
	FIELDS,
	KEPT_WRITES,
	log_writes,
	may_set,
	refused_fields,
	values_when_read,
	write_sequence,
)
from scheduler_integration.engine.booking_states import Actor

G, H, S = Actor.GUEST, Actor.HOST, Actor.SYSTEM


def test_server_owned_fields_are_never_a_callers():
	for field in ("meeting_provider", "meeting_id", "meeting_connection"):
		for new in (True, False):
			assert not may_set(field, G, new=new) and not may_set(field, H, new=new)
			assert may_set(field, S, new=new)


def test_request_fields_are_set_once_by_the_public_api():
	for field in ("source", "utm_source", "utm_medium", "utm_campaign", "idempotency_key"):
		assert may_set(field, G, new=True) and not may_set(field, H, new=True)
		assert not may_set(field, G, new=False) and not may_set(field, H, new=False)


def test_guests_set_only_their_form_and_their_own_changes():
	assert refused_fields(["guest_name", "notes", "start", "status"], G, new=True) == []
	assert refused_fields(["hosts", "contact", "crm_doctype", "crm_name", "location"], G, new=True) == [
		"hosts",
		"location",
		"contact",
		"crm_doctype",
		"crm_name",
	]
	# through a manage link: move, cancel with a reason, nothing of the form
	assert refused_fields(["start", "status", "cancel_reason", "booker_timezone"], G, new=False) == []
	assert refused_fields(["guest_email", "meeting_type", "answers"], G, new=False) == [
		"meeting_type",
		"guest_email",
		"answers",
	]


def test_hosts_may_not_rewrite_the_guests_answers():
	assert may_set("answers", H, new=True) and not may_set("answers", H, new=False)


@pytest.mark.parametrize("field", sorted(DERIVED))
def test_derived_fields_are_discarded_not_refused(field):
	assert field not in FIELDS
	for actor in (G, H, S):
		assert may_set(field, actor, new=True) and may_set(field, actor, new=False)
		assert refused_fields([field], actor, new=False) == []


def test_fields_outside_the_table_are_left_to_frappe():
	assert may_set("modified", G, new=False) and refused_fields(["idx", "docstatus"], H, new=False) == []


# --- what the system wrote after the answer, and what a copy read before it held ----------


def test_a_write_that_changes_nothing_logs_nothing():
	assert log_writes(None, {"contact": "C1"}, {"contact": "C1"}) is None
	assert log_writes(None, {"contact": ""}, {"contact": None}) is None


def test_each_write_logs_the_value_before_it_under_a_new_sequence():
	log = log_writes(None, {"contact": "C1", "crm_name": "L1"}, {"contact": "", "crm_name": None})
	assert log == {"seq": 1, "log": [[1, "contact", None], [1, "crm_name", None]]}
	log = log_writes(log, {"contact": "C2"}, {"contact": "C1"})
	assert write_sequence(log) == 2 and log["log"][-1] == [2, "contact", "C1"]


def test_a_copy_read_before_writes_held_the_value_before_the_first_of_them():
	log = log_writes(None, {"contact": "C1"}, {"contact": None})
	log = log_writes(
		log, {"contact": "C2", "meeting_link": "https://x"}, {"contact": "C1", "meeting_link": None}
	)
	assert values_when_read(0, log) == {"contact": None, "meeting_link": None}
	assert values_when_read(1, log) == {"contact": "C1", "meeting_link": None}
	assert values_when_read(2, log) == {}


def test_a_copy_older_than_every_kept_entry_reads_the_logged_fields_as_empty():
	log = None
	for n in range(KEPT_WRITES + 5):
		log = log_writes(log, {"meeting_link": f"https://x/{n + 1}"}, {"meeting_link": f"https://x/{n}"})
	assert len(log["log"]) == KEPT_WRITES
	assert values_when_read(0, log) == {"meeting_link": None}
	newest = write_sequence(log)
	assert values_when_read(newest - 1, log) == {"meeting_link": f"https://x/{newest - 1}"}


def test_the_log_is_the_systems_alone():
	assert "effect_writes" in DERIVED
