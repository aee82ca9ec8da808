"""Schemathesis hooks of the app's API fuzz run (``test_api_fuzz``): loaded by the
schemathesis CLI (``SCHEMATHESIS_HOOKS=st_hooks``), never by the bench.

``no_traceback``: no answer of the app may carry a Python traceback, whatever its status.
"""

import schemathesis


@schemathesis.check
def no_traceback(ctx, response, case):
	# bytes, not ``response.text``: an export's Excel file is no UTF-8 text
	text = bytes(response.content or b"").decode("utf-8", errors="replace")
	if "Traceback (most recent call last)" in text or '"exc":' in text:
		raise AssertionError(f"the answer ({response.status_code}) carries a traceback")
