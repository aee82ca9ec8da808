"""Video meeting adapters: Zoom, Microsoft Teams, Google Meet.

Pure Python like ``calendars/`` (the same layer): nothing here imports frappe; tokens and
HTTP are injected. Each adapter is a ``calendars.providers.VideoProvider`` and is named in
``calendars.providers.REGISTRY``; errors are those of ``calendars.errors``.
"""
