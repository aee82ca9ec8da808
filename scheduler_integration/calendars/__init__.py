"""Calendar provider adapters: ICS feeds, Google Calendar, CalDAV, Microsoft 365 (Graph).

Pure Python like ``engine/``: nothing here imports frappe. Credentials and HTTP are
injected, so every adapter is tested against local peers (HTTP servers speaking the
Calendar v3 and Graph v1.0 APIs, a real Radicale CalDAV server). Every URL a host can type
in goes through ``urlguard``. Errors are typed (``errors``); ``error.retryable`` tells the
sync job whether to retry, so a provider failure never loses a booking.

``providers`` holds the one interface every calendar and video adapter answers (the video
adapters live in ``video/``) and the registry naming them; ``oauth`` the injected token
sources and ``rest`` the JSON client the REST adapters (Graph, Zoom) share.
"""
