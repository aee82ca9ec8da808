"""The HTTP entry points (whitelisted methods). Thin: each parses its request (``parse``),
calls one function of a layer below and shapes the answer (``shapes``); none builds a query,
lists rows through a join or writes a row past a controller (``scripts/check_frappe_layer.py``
holds it). Nothing here imports ``effects/``: a document's change starts its effects.
"""
