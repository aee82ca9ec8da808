"""Load documents → ask the engine → store: the path of every booking change.

- ``meeting_types`` — a meeting type with its policy, assignment and candidate hosts;
- ``availability`` — each host's compiled working hours (cached, invalidated on change);
- ``busy`` — external calendar busy time (cache, plus one bounded fresh read per change);
- ``load`` — every host's schedule for a window in a constant number of queries;
- ``slots`` — what the booking page offers, and the nearest alternatives;
- ``check`` — the locked check every create / move / status change of a booking runs,
  whatever the entry point (guest API, host API, desk, REST, import): it is called by the
  Scheduler Booking controller's ``validate``;
- ``tokens`` — manage-link and feed tokens;
- ``pages`` — which profile and meeting type a public slug leads to, and their page data;
- ``presentation`` — what every output of a booking reads the same way (guest text, hosts);
- ``feed`` — the bookings a host's ICS feed shows.

Nothing here imports ``effects``, ``reporting``, controllers or ``api`` (they sit above).
"""
