"""Client-report scheduler sections, tracked report links, engagement records, the
Calendly webhook, phases and analytics. Uses ``booking`` and ``core``; used by
``effects`` (engagement of booking outcomes), controllers and ``api``."""
