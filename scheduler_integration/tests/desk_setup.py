"""The desk sends every user to the setup wizard until the site's setup is complete. A bench
site nobody set up (as on CI) gets it marked complete for a browser test class only, and
exactly as it was afterwards."""

from __future__ import annotations

from dataclasses import dataclass

import frappe


@dataclass(frozen=True)
class SetupState:
	unfinished: tuple[str, ...]  # Installed Application rows still marked incomplete
	flag: object  # System Settings' setup_complete as it was


def finish_setup() -> SetupState:
	"""Mark the site's setup complete; answers what ``restore_setup`` puts back."""
	state = SetupState(
		tuple(
			frappe.get_all(
				"Installed Application",
				{"is_setup_complete": 0, "app_name": ("in", ["frappe", "erpnext"])},
				pluck="name",
			)
		),
		frappe.db.get_single_value("System Settings", "setup_complete"),
	)
	_mark(state.unfinished, 1, 1)
	return state


def restore_setup(state: SetupState | None) -> None:
	if state is not None:
		_mark(state.unfinished, 0, state.flag)


def _mark(apps: tuple[str, ...], complete: int, flag) -> None:
	for name in apps:
		frappe.db.set_value("Installed Application", name, "is_setup_complete", complete)
	frappe.db.set_single_value("System Settings", "setup_complete", flag)
	frappe.db.commit()
	frappe.clear_cache()  # the desk's boot reads it through the cache
