"""Frappe plumbing every other Frappe-side layer uses: the clock at the database boundary,
Scheduler Settings, field errors, roles, row permissions and the host's time zone.

Imports only ``engine`` and ``providers`` (and frappe), the layers below it (the OAuth
tokens raise the adapters' ``ProviderAuthError``); everything above (booking, reporting,
effects, controllers, api) may import it.
"""
