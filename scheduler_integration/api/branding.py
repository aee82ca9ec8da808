"""The providers' and locations' marks for the desk (``rules.branding``), in its boot.

Every desk page's ``frappe.boot.scheduler_branding`` carries the table, so the profile's
connections, the connection form and list and the meeting type's location picker draw the
same mark, name and colour without a call of their own (``scheduler_desk.js``).
"""

from __future__ import annotations

from scheduler_integration.rules.branding import for_desk


def boot_session(bootinfo) -> None:
	bootinfo.scheduler_branding = for_desk()
