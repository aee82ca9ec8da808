"""Microsoft Teams meetings without a calendar write (Graph ``onlineMeetings``).

For a host whose bookings are not written to a Microsoft calendar (or who wants the Teams
link alone): ``create_meeting`` posts ``/me/onlineMeetings`` (subject, start, end) and
returns its ``joinWebUrl``; with the draft's ``key`` it uses ``createOrGet`` with that
``externalId``, so a retried create returns the meeting the first attempt made. The
meeting is moved with ``PATCH`` and removed with ``DELETE`` (already gone is fine).
Dial-in details (``audioConferencing``) and the meeting id / passcode guests can type
(``joinMeetingIdSettings``) come back in ``Meeting.dial_in`` and ``Meeting.extra``.

When the booking *is* written to the host's Microsoft calendar, ask the calendar write for
the meeting instead (``MicrosoftCalendar.write(..., with_meeting=True)``: the event then
carries the Teams link, as Outlook does it). Tokens and errors as in
``microsoft`` (``MeetingNotFound`` for a missing meeting).
"""

from __future__ import annotations

from .errors import EventNotFound, MeetingNotFound, ProviderError
from .microsoft import MAX_SUBJECT, MicrosoftCalendar
from .model import DialIn, Meeting, MeetingDraft
from .oauth import TokenSource

__all__ = ["TeamsMeetings"]


class TeamsMeetings:
	"""Standalone Teams meetings of one Microsoft 365 account.

	Pass ``tokens`` (and any ``MicrosoftCalendar`` keyword: ``user``, ``base_url``,
	``session``, ``timeout``), or a ready ``graph`` (a ``MicrosoftCalendar``).
	"""

	name = "microsoft"

	def __init__(
		self, tokens: TokenSource | None = None, *, graph: MicrosoftCalendar | None = None, **kwargs
	):
		if graph is None:
			if tokens is None:
				raise ProviderError("Teams meetings need a token source or a Graph client")
			graph = MicrosoftCalendar(tokens, **kwargs)
		self.graph = graph

	def create_meeting(self, draft: MeetingDraft) -> Meeting:
		body = self.graph.create_online_meeting(
			draft.topic[:MAX_SUBJECT], draft.start, draft.end, external_id=draft.key
		)
		return self._meeting(body)

	def update_meeting(self, meeting_id: str, draft: MeetingDraft) -> Meeting:
		try:
			body = self.graph.update_online_meeting(
				meeting_id, draft.topic[:MAX_SUBJECT], draft.start, draft.end
			)
		except EventNotFound as exc:
			raise MeetingNotFound(
				"Teams meeting {0} does not exist any more", meeting_id, status=exc.status
			) from None
		return self._meeting(body)

	def delete_meeting(self, meeting_id: str) -> bool:
		try:
			self.graph.delete_online_meeting(meeting_id)
		except EventNotFound:
			return False
		return True

	@staticmethod
	def _meeting(body) -> Meeting:
		if not isinstance(body, dict) or not body.get("id") or not body.get("joinWebUrl"):
			raise ProviderError("Microsoft answered without a Teams meeting id or join link")
		audio = body.get("audioConferencing") or {}
		pin = str(audio.get("conferenceId") or "")
		dial_in = tuple(
			DialIn(number=str(audio[key]), pin=pin, label=label)
			for key, label in (("tollNumber", "toll"), ("tollFreeNumber", "toll free"))
			if audio.get(key)
		)
		join = body.get("joinMeetingIdSettings") or {}
		extra = {"kind": "onlineMeeting"}
		if join.get("joinMeetingId"):
			extra["join_meeting_id"] = str(join["joinMeetingId"])
		if audio.get("dialinUrl"):
			extra["dial_in_url"] = str(audio["dialinUrl"])
		if body.get("externalId"):
			extra["external_id"] = str(body["externalId"])
		return Meeting(
			provider="microsoft",
			id=str(body["id"]),
			join_url=str(body["joinWebUrl"]),
			password=str(join.get("passcode") or "") or None,
			dial_in=dial_in,
			extra=extra,
		)
