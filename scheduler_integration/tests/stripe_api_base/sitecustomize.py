"""Test-only: points the ``stripe`` library of one test web server at the local Stripe peer.

The payments app's own card page (``payments.templates.pages.stripe_checkout``) calls
Stripe through the library's module-level ``stripe.api_base`` (https://api.stripe.com,
which a test cannot reach) and has no setting for another address. test_trust_payments
starts a web server of its own (``live.LiveServer(env=…)``) with this folder first on
PYTHONPATH and ``SCHEDULER_TEST_STRIPE_API_BASE`` set to the peer's address: Python
imports ``sitecustomize`` when the server starts, before gunicorn forks its workers.

Nothing else has this folder on its path: the site's own server and workers, the shared
test server and the app never load it (there is no ``__init__.py``; the app does not
import it). This app's own Stripe client names its address on every call (site config
``scheduler_provider_api``) and puts the library's back afterwards, so it is unaffected.
"""

import os

_BASE = os.environ.get("SCHEDULER_TEST_STRIPE_API_BASE")
if _BASE:
	import stripe

	stripe.api_base = _BASE.rstrip("/")
