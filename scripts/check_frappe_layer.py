#!/usr/bin/env python3
"""Static checks of the Frappe layer that need no bench: the entry point ``./run-tests`` calls
(``python scripts/check_frappe_layer.py [ROOT]``).

What is checked, and the rules themselves, one module each, are in ``scripts/frappe_layer/``
(its ``__init__`` lists them). The tests import this script and use ``main``, ``use_root``
and ``NEVER_IMPORTS`` (the very list the checks fill).

Exit status 1 with one line per problem, 0 when clean.
"""

from __future__ import annotations

import sys

from frappe_layer import NEVER_IMPORTS, main, use_root

__all__ = ["NEVER_IMPORTS", "main", "use_root"]

if __name__ == "__main__":
	sys.exit(main())
