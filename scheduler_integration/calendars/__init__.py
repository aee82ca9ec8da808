"""Calendar provider adapters: ICS feeds, Google Calendar, CalDAV.

Pure Python like ``engine/``: nothing here imports frappe. Credentials and HTTP are
injected, so every adapter is tested against local peers (an HTTP server speaking the
Calendar v3 API, a real Radicale CalDAV server). Every URL a host can type in goes through
``urlguard``. Errors are typed (``errors``); ``error.retryable`` tells the sync job
whether to retry, so a provider failure never loses a booking.
"""
