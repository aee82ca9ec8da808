"""The "book your next step" section of a client report, as Jinja methods (see hooks ``jinja``).

``{{ scheduler_section(consultant, phase, disc_profile, doc.doctype, doc.name) }}`` in any
Print Format, Web Page or template gives escaped HTML (Markup): the DISC-adapted title,
intro and line above the types, each recommended meeting type (rules.recommend) with its
heading (the ones after the first marked as secondary), duration, description under its
label and a tracked button (reporting.links), the closing line, all adapted to the
profile and phase by rules.report_copy, and the consultant's embed iframe when "Embed in
Client Reports" is on. ``scheduler_section_markdown`` gives the
same as Markdown. Both give "" when the consultant has no Scheduler Profile or "Show in
Client Reports" is off. Every stored text is escaped; the iframe is sanitised again on the
way out (rules.embed), so only a canonical iframe from an allowed host is ever printed.
"""

from __future__ import annotations

import html
import re

import frappe
from frappe import _
from markupsafe import Markup, escape

from scheduler_integration.booking.meeting_types import duration_minutes, meeting_type_doc
from scheduler_integration.core.settings import extra_embed_hosts
from scheduler_integration.engine.errors import SchedulingError
from scheduler_integration.reporting import links as report_links
from scheduler_integration.reporting.phases import phase_names
from scheduler_integration.rules.embed import sanitize_embed
from scheduler_integration.rules.recommend import TypeInfo, canonical_phase, recommend
from scheduler_integration.rules.report_copy import section_copy


def _copy(copy) -> str:
	return _(copy.template).format(*copy.args) if copy.args else _(copy.template)


def section_data(consultant, phase=None, disc_profile=None, reference_doctype=None, reference_name=None):
	"""What the section shows, or None when it shows nothing."""
	if not consultant or not isinstance(consultant, str):
		return None
	profile = report_links.profile_of(consultant)
	if profile is None or not profile.show_in_reports:
		return None
	if report_links.native(profile) and not profile.active:
		return None
	rows = frappe.get_all(
		"Scheduler Meeting Type",
		filters={"profile": profile.name, "active": 1},
		fields=[
			"name",
			"title",
			"slug",
			"priority",
			"sort_order",
			"duration",
			"custom_duration",
			"description",
			"scheduler_event_url",
		],
	)
	phases = {}
	for item in frappe.get_all(
		"Scheduler Meeting Type Phase",
		filters={"parenttype": "Scheduler Meeting Type", "parent": ("in", [r.name for r in rows] or [""])},
		fields=["parent", "phase"],
	):
		phases.setdefault(item.parent, []).append(item.phase)
	by_name = {row.name: row for row in rows}
	known = phase_names()
	infos = [
		TypeInfo(
			id=row.name,
			name=row.title or "",
			priority=row.priority or 0,
			sort_order=row.sort_order or 0,
			phases=phases.get(row.name, ()),
			known_phases=known,
		)
		for row in rows
	]
	phase_name = canonical_phase(phase, known) or (phase.strip() if isinstance(phase, str) else "")
	types = []
	for info in recommend(infos, phase_name, known=known):
		row = by_name[info.id]
		token = report_links.make_token(consultant, row.name, phase_name, reference_doctype, reference_name)
		if report_links.target_url(report_links.read_token(token), token) is None:
			continue  # an external type without any URL: nothing to link to
		types.append(
			{
				"name": row.title or "",
				"duration": duration_minutes(meeting_type_doc(row.name)),
				"description": row.description or "",
				"url": report_links.tracked_url(token, phase_name),
			}
		)
	copy = section_copy(disc_profile, phase_name, [item["name"] for item in types], known)
	for item, lines in zip(types, copy.types, strict=True):
		item["heading"] = _copy(lines.heading)
		item["details_label"] = _copy(lines.details_label)
		item["button"] = _copy(lines.button)
	embed = ""
	if profile.embed_in_reports and profile.embed_code:
		try:
			embed = sanitize_embed(profile.embed_code, extra_embed_hosts())
		except SchedulingError:
			embed = ""
	return {
		"title": _copy(copy.title),
		"intro": _copy(copy.intro),
		"lead": _copy(copy.lead) if types else "",
		"types": types,
		"closing": tuple(_copy(part) for part in copy.closing) if copy.closing else None,
		"embed": embed,
	}


def _lines(text: str) -> Markup:
	return Markup("<br>").join(escape(line) for line in str(text).splitlines())


def scheduler_section(consultant, phase=None, disc_profile=None, reference_doctype=None, reference_name=None):
	"""The report section as escaped HTML (Markup); "" when there is nothing to show."""
	data = section_data(consultant, phase, disc_profile, reference_doctype, reference_name)
	if not data:
		return Markup("")
	parts = [
		Markup('<div class="scheduler-section">'),
		Markup("<h2>{0}</h2>").format(data["title"]),
		Markup("<p>{0}</p>").format(data["intro"]),
	]
	if data["lead"]:
		parts.append(Markup('<p class="scheduler-lead">{0}</p>').format(data["lead"]))
	for item in data["types"]:
		parts += [
			Markup('<div class="meeting-type">'),
			Markup("<h3>{0}</h3>").format(item["heading"]),
			Markup("<p><strong>{0}</strong> {1}</p>").format(
				_("Duration:"), _("{0} minutes").format(item["duration"])
			),
			Markup("<p><strong>{0}</strong><br>{1}</p>").format(
				item["details_label"], _lines(item["description"])
			)
			if item["description"]
			else Markup(""),
			Markup(
				'<p><a href="{0}" class="scheduler-link btn btn-primary" rel="noopener">{1}</a></p>'
			).format(item["url"], item["button"]),
			Markup("</div>"),
		]
	if data["closing"]:
		parts.append(
			Markup('<p class="scheduler-closing"><strong>{0}</strong> {1}</p>').format(*data["closing"])
		)
	if data["embed"]:
		# sanitize_embed re-serialised the iframe from an allow-list with every value escaped
		parts.append(Markup('<div class="scheduler-embed">{0}</div>').format(Markup(data["embed"])))
	parts.append(Markup("</div>"))
	return Markup("\n").join(parts)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def md_escape(text) -> str:
	"""Text that Markdown shows literally: HTML escaped, Markdown punctuation backslashed."""
	return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text or ""), quote=False))


def scheduler_section_markdown(
	consultant, phase=None, disc_profile=None, reference_doctype=None, reference_name=None
) -> str:
	"""The report section as Markdown; "" when there is nothing to show."""
	data = section_data(consultant, phase, disc_profile, reference_doctype, reference_name)
	if not data:
		return ""
	out = [f"## {md_escape(data['title'])}", "", md_escape(data["intro"]), ""]
	if data["lead"]:
		out += [md_escape(data["lead"]), ""]
	for index, item in enumerate(data["types"]):
		if index:
			out += ["---", ""]  # between types, as the seed's example
		# one paragraph, a hard line break ("  " at a line's end) after each line
		lines = [f"**{md_escape(_('Duration:'))}** {md_escape(_('{0} minutes').format(item['duration']))}"]
		if item["description"]:
			lines.append(f"**{md_escape(item['details_label'])}**")
			lines += [md_escape(line) for line in item["description"].splitlines()]
		out += [
			f"### {md_escape(item['heading'])}",
			"  \n".join(lines),
			"",
			f"[{md_escape(item['button'])}](<{item['url']}>)",
			"",
		]
	if data["closing"]:
		strong, rest = data["closing"]
		out += [f"**{md_escape(strong)}** {md_escape(rest)}", ""]
	if data["embed"]:
		out += [data["embed"], ""]
	return "\n".join(out).rstrip() + "\n"
