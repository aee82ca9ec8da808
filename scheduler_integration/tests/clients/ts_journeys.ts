// A guest's and a host's journey through the TypeScript client generated from the app's
// OpenAPI document: openapi-typescript's types of it (schema.ts, which
// test_generated_clients generates beside this file) and openapi-fetch, which calls the site
// by them. Compiled with tsc --strict, run with node: `node ts_journeys.js <guest|host> '<config
// JSON>'`. Only the generated types and openapi-fetch talk to the site; the journeys print
// what they read, one JSON object, for the bench test to hold against the site. A call
// answered otherwise than the journey expects stops it (exit 1, the answer on stderr).
//
// Every field is read by its generated type: a success answer's `data` is the operation's
// own schema (`Booking`, `OfferedSlots`, `HostBooking`, …), so a field renamed or dropped in
// the document fails tsc before anything runs. The only narrowing is success against
// failure, by the answer's status.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Config = {
	base: string;
	site: string;
	profile: string;
	meeting_type: string;
	week: string;
	guest_name: string;
	guest_email: string;
	second_email: string;
	api_token: string;
	booking: string;
};
type Failure = components["schemas"]["Failure"];
type ErrorAnswer = components["schemas"]["ErrorAnswer"];
const API = "/api/method/scheduler_integration.api";

/** An instant as `YYYY-MM-DDTHH:MM:SSZ` (a `format: date-time` field is a string in the types). */
function instant(value: string): string {
	return new Date(value).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** What openapi-fetch answers: the success's body (typed by the operation), or its failure. */
type Answer<Data> = { data?: { message: { data: Data } }; error?: unknown; response: Response };

/** The `data` of a success answer (the envelope), typed as the operation's schema, or stop. */
function dataOf<Data>(answer: Answer<Data>, status = 200): Data {
	if (answer.response.status !== status || answer.data === undefined) {
		throw new Error(`expected ${status}, got ${answer.response.status}: ${JSON.stringify(answer.error)}`);
	}
	return answer.data.message.data;
}

/** The failure of a refused call (the envelope's `Failure`: not Frappe's own error, nor the
 * text of a 413), or stop. */
function failureOf(answer: { error?: ErrorAnswer | string; response: Response }, status: number): Failure {
	const error = answer.error;
	if (answer.response.status !== status || typeof error !== "object" || !("message" in error)) {
		throw new Error(`expected ${status}, got ${answer.response.status}: ${JSON.stringify(error)}`);
	}
	return error.message;
}

async function guest(config: Config): Promise<object> {
	const client = createClient<paths>({ baseUrl: config.base, headers: { "X-Frappe-Site-Name": config.site } });
	const { profile, meeting_type } = config;
	const seen: Record<string, unknown> = {};

	const page = dataOf(await client.GET(`${API}.public.get_page`, { params: { query: { profile } } }));
	seen.page_types = page.meeting_types.map((item) => item.slug);

	const end = new Date(`${config.week}T00:00:00Z`);
	end.setUTCDate(end.getUTCDate() + 7);
	const slots = dataOf(
		await client.GET(`${API}.public.get_slots`, {
			params: {
				query: { profile, meeting_type, start: config.week, end: end.toISOString().slice(0, 10), timezone: "UTC" },
			},
		}),
	);
	const starts = slots.days.flatMap((day) => day.slots.map((slot) => instant(slot.start)));
	seen.slots = starts.length;
	const first = starts[0];
	const later = starts[3];

	const made = dataOf(
		await client.POST(`${API}.public.book`, {
			body: {
				profile,
				meeting_type,
				start: first,
				name: config.guest_name,
				email: config.guest_email,
				timezone: "UTC",
			},
		}),
		201,
	);
	const token = made.manage_token;
	if (token === undefined) throw new Error(`no manage_token in the booking's answer: ${JSON.stringify(made)}`);
	seen.booked = { asked: first, id: made.id, start: instant(made.start), status: made.status };

	const found = dataOf(await client.GET(`${API}.public.get_booking`, { params: { query: { token } } }));
	seen.read = { start: instant(found.start), status: found.status };

	const moved = dataOf(await client.POST(`${API}.public.reschedule`, { body: { token, start: later, timezone: "UTC" } }));
	seen.moved = { asked: later, start: instant(moved.start) };

	// the time the booking now holds, asked for by another guest: 409 with the nearest free times
	const refused = failureOf(
		await client.POST(`${API}.public.book`, {
			body: {
				profile,
				meeting_type,
				start: later,
				name: "Second Guest",
				email: config.second_email,
				timezone: "UTC",
			},
		}),
		409,
	);
	seen.taken = { code: refused.code, alternatives: (refused.alternatives ?? []).map((slot) => instant(slot.start)) };

	const gone = dataOf(await client.POST(`${API}.public.cancel`, { body: { token, reason: "Plans changed" } }));
	seen.cancelled = { status: gone.status };
	return seen;
}

async function host(config: Config): Promise<object> {
	const headers = { "X-Frappe-Site-Name": config.site };
	const signedIn = createClient<paths>({
		baseUrl: config.base,
		headers: { ...headers, Authorization: `token ${config.api_token}` },
	});
	const anonymous = createClient<paths>({ baseUrl: config.base, headers });
	const booking = config.booking;
	const seen: Record<string, unknown> = {};

	const rows = dataOf(await signedIn.GET(`${API}.booking.list_my_bookings`, { params: { query: { limit: 500 } } }));
	seen.listed = Object.fromEntries(rows.map((row) => [row.id, row.status]));

	const confirmed = dataOf(await signedIn.POST(`${API}.booking.confirm_booking`, { body: { booking } }));
	seen.confirmed = { id: confirmed.id, status: confirmed.status };

	const confirmedRows = dataOf(
		await signedIn.GET(`${API}.booking.list_my_bookings`, { params: { query: { status: "Confirmed", limit: 500 } } }),
	);
	seen.listed_confirmed = confirmedRows.map((row) => row.id);

	const refused = failureOf(await anonymous.GET(`${API}.booking.list_my_bookings`, {}), 401);
	seen.guest = { code: refused.code };
	return seen;
}

const [journey, text] = process.argv.slice(2);
const config = JSON.parse(text) as Config;
(journey === "guest" ? guest(config) : host(config)).then(
	(seen) => console.log(JSON.stringify(seen)),
	(error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
