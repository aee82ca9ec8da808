"""Typed errors raised for bad engine input.

Every error is a ``ValueError`` (so generic callers can catch one thing) and carries a
``field`` naming the offending input, so the API layer can map it onto a form field.
Messages are plain English; the Frappe layer translates them with ``_()`` where they
reach a user.
"""


class SchedulingError(ValueError):
	"""Base class: the input cannot produce a correct answer.

	``template`` is the untranslated message with ``{0}``-style placeholders and ``args``
	its values, so the Frappe layer can show ``_(template).format(*args)``.
	"""

	def __init__(self, message: str, field: str | None = None, *args):
		self.template = message
		self.args_ = args
		self.message = message.format(*args) if args else message
		super().__init__(self.message)
		self.field = field


class InvalidTimeZone(SchedulingError):
	"""An IANA time zone name that zoneinfo does not know."""


class NaiveDatetime(SchedulingError):
	"""A datetime without tzinfo: the engine only accepts aware datetimes."""


class InvalidInterval(SchedulingError):
	"""An interval whose end is not after its start."""


class InvalidDuration(SchedulingError):
	"""A duration, step, buffer, notice or limit that is out of range."""


class InvalidRule(SchedulingError):
	"""A weekly rule, local range or date override that makes no sense."""


class InvalidRecurrence(SchedulingError):
	"""An RRULE that cannot be parsed or would expand without bound."""


class InvalidField(SchedulingError):
	"""A document or API field value that fails validation (see ``validation``)."""


class EmbedRejected(InvalidField):
	"""Embed code that is not a single iframe from an allowed host."""
