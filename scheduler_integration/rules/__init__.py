"""Pure rules that are not the scheduling engine: never imports frappe. Imports only ``engine``.

What a request, a page, a report or a provider's message may be, decided without Frappe and
tested without a bench: guest forms and prefill, embedding and custom domains, the bot
check's proof of work, tracking and recommendations, routing forms and CRM matching, payments,
SMS replies, external schedulers' events, analytics, onboarding, report copy, colours, marks
and locales. ``engine/`` holds only the scheduling engine (*when* something may happen).
"""
