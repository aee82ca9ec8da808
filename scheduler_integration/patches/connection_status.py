"""Connection status "OK" is now "Connected" (next to "Needs Reconnect" and "Error")."""

import frappe


def execute():
	frappe.db.sql("update `tabScheduler Calendar Connection` set status='Connected' where status='OK'")
