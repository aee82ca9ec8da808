"""Static checks of the Frappe layer that need no bench.

* every JSON file of the app parses;
* DocType JSON: name matches its folder, fieldnames unique, Link / Table / Table
  MultiSelect options name a DocType of this app or a known Frappe core DocType,
  a controller module sits beside it;
* Workspace JSON links point at DocTypes/Reports that exist;
* hooks.py dotted paths resolve to a module (and function) of this app;
* every ``@frappe.whitelist(...)`` is restricted to explicit HTTP ``methods``, and every
  guest one (``allow_guest=True``) carries a per-IP limit (``@per_ip``, ``core/limits.py``);
* no module under ``engine/``, ``rules/`` or ``providers/`` imports frappe;
* imports follow the layers (``LAYERS``, top to bottom): a module imports only from its
  own layer or lower ones — never upwards — and no modules import each other in a
  circle, counting imports inside functions too;
* what a package's docstring says it never imports (read into ``NEVER_IMPORTS``:
  ``connections/`` never imports ``booking/``, beside it in one layer) holds, for imports
  and by-name references alike;
* no call goes up past the import graph's back: a layer below the controllers never calls
  a method of this app's DocType controllers on a document it got from Frappe
  (``frappe.get_doc(...).method()``, or ``doc = frappe.get_doc(...)`` then
  ``doc.method()``), nor on any other document (a parameter, an attribute) when the method
  is one only a controller defines, nor runs one by name (``run_method``,
  ``queue_action``, ``frappe.enqueue_doc``); no module is loaded by name
  (``importlib.import_module``, ``__import__``, ``frappe.get_attr``, ``frappe.get_module``,
  ``frappe.call``) and no function named by its dotted path (``frappe.enqueue``, a hook, a
  constant for later) from a layer above it, across into a package that imports back, or
  by a name computed at run time (the check cannot follow it);
* ``api/`` is thin: it builds no query, lists no rows through a join and writes no row past
  a controller (``check_thin_api``); what ``effects/`` says imports it ("Imported only by
  controllers, jobs, install and patches") is held like a never-import rule.

One module per rule (``doctypes``, ``hooks``, ``whitelists``, ``pure_packages``,
``never_imports``, ``layers``, ``hidden_calls``, ``loads_by_name``, ``thin_api``), all reading
the checked tree and writing their problems through ``app_tree``; ``main`` runs them in order.
``scripts/check_frappe_layer.py`` is the entry point.

Exit status 1 with one line per problem, 0 when clean.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import app_tree
from .app_tree import use_root
from .doctypes import check_doctypes, check_json, check_workspaces
from .hidden_calls import check_hidden_calls, controller_methods
from .hooks import check_hooks
from .layers import check_layers
from .loads_by_name import check_loads_by_name
from .never_imports import NEVER_IMPORTS, read_rules
from .pure_packages import check_pure_packages
from .thin_api import check_thin_api
from .whitelists import check_whitelists

__all__ = ["NEVER_IMPORTS", "main", "use_root"]


def main(argv: list[str] | None = None) -> int:
	argv = sys.argv[1:] if argv is None else argv
	if argv:
		use_root(Path(argv[0]))
	doctypes = check_json()
	check_doctypes(doctypes)
	check_workspaces(doctypes)
	check_hooks()
	check_whitelists()
	check_pure_packages()
	read_rules()
	graph = check_layers()
	check_hidden_calls(controller_methods())
	check_loads_by_name(graph)
	check_thin_api()
	for line in app_tree.problems:
		print(line)
	print(f"frappe layer: {len(doctypes)} doctypes checked, {len(app_tree.problems)} problem(s)")
	return 1 if app_tree.problems else 0
