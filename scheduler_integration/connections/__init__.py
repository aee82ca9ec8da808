"""A host's connections to providers (Scheduler Calendar Connection), on the Frappe side.

Everything a connection does with its provider lives here, beside ``booking/`` (the same
layer), so that ``booking/``, ``effects/`` and the jobs import it directly instead of
calling the controller through ``frappe.get_doc``:

- ``credentials``: what the provider's adapters take, one small class per kind of
  credentials (``ProviderSpec.auth``): a secret feed URL, a CalDAV password, the core
  Google integration, the tokens of a core Connected App;
- ``adapters``: the provider's adapters opened with those credentials: the fresh busy read
  of a booking change, calendar writes, the video adapter, the connection as a maker of
  meeting links;
- ``status``: the connection's health (status, last error, next retry), shown on its form.

The Scheduler Busy Time rows refreshed from the provider are written by
``booking.busy_sync``, beside the cache that reads them (``booking.busy``); nothing here
imports ``booking/``.

Every function takes the connection document as data and reads only its fields; the
controller keeps the document's own behaviour (validation, outdating busy time when it
changes) and calls these. What a provider is and does comes from the registry
(``providers.providers.REGISTRY``).
"""
