"""Provider adapters, calendar and video: ICS feeds, Google Calendar and Meet, CalDAV,
Microsoft 365 (Graph calendars and Teams meetings), Zoom.

Pure Python like ``engine/``: nothing here imports frappe. Credentials and HTTP are
injected, so every adapter is tested against local peers (HTTP servers speaking the
Calendar v3, Graph v1.0 and Zoom v2 APIs, a real Radicale CalDAV server). Every URL a host
can type in goes through ``urlguard``. Errors are typed (``errors``); ``error.retryable``
tells the sync job whether to retry, so a provider failure never loses a booking.

``providers`` holds the one interface every calendar and video adapter answers and the
registry naming them (one row per provider; a row imports its adapter modules here);
``model`` the records they take and return; ``oauth`` the injected token sources and
``rest`` the JSON client the REST adapters (Graph, Zoom) share.
"""
