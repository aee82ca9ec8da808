"""Values built from the database, kept in this process and reused while their version in
Redis is unchanged.

Slot reads need every host's working hours and busy time as engine records; building
25,000 of them per request costs more than the search itself. So each worker process
keeps the built records, and Redis keeps one version per key (a host): a change of the
source gives the key a new random version (at once, and again after the commit, so a reader
that rebuilt from the old rows in between does not keep them), and every read first fetches
the versions of all its keys in one round trip. Versions are random, never counters: Redis
may lose them (``bench clear-cache``, a settings change clearing the site's cache), and a
counter starting again from zero would meet the number an old entry was built at. A key
without a version gets a fresh one before anything is built for it. A stale entry is
therefore never used past the change of its source. Nothing here decides a booking: the
booking transaction reads its inputs from the database under the lock.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable

import frappe
import redis

MAX_ENTRIES = 5000  # per cache and process; least recently used go first


def _new_version() -> str:
	return secrets.token_hex(8)


class VersionedCache:
	def __init__(self, name: str):
		self.name = name
		self.entries: OrderedDict = OrderedDict()  # (site, key) -> (version, value)

	def _versions(self, keys: list[str]) -> list[bytes]:
		name = frappe.cache.make_key(self.name)
		raw = redis.Redis.hmget(frappe.cache, name, keys)
		lost = [key for key, value in zip(keys, raw, strict=True) if value is None]
		if lost:
			pipe = frappe.cache.pipeline()
			for key in lost:
				pipe.hsetnx(name, key, _new_version())
			pipe.hmget(name, lost)
			found = dict(zip(lost, pipe.execute()[-1], strict=True))
			raw = [found[key] if value is None else value for key, value in zip(keys, raw, strict=True)]
		return raw

	def get_many(self, keys: Iterable[str], build: Callable[[list[str]], dict]) -> dict:
		"""{key: value} for every key, building the missing or outdated ones with ``build``."""
		keys = list(dict.fromkeys(keys))
		if not keys:
			return {}
		site = frappe.local.site
		versions = dict(zip(keys, self._versions(keys), strict=True))
		out, missing = {}, []
		for key in keys:
			entry = self.entries.get((site, key))
			if entry is not None and entry[0] == versions[key]:
				self.entries.move_to_end((site, key))
				out[key] = entry[1]
			else:
				missing.append(key)
		if missing:
			built = build(missing)
			for key in missing:
				self.entries[(site, key)] = (versions[key], built[key])
				out[key] = built[key]
			while len(self.entries) > MAX_ENTRIES:
				self.entries.popitem(last=False)
		return out

	def invalidate(self, keys: Iterable[str]) -> None:
		keys = [key for key in dict.fromkeys(keys) if key]
		if not keys:
			return
		name = frappe.cache.make_key(self.name)

		def bump():
			redis.Redis.hset(frappe.cache, name, mapping={key: _new_version() for key in keys})

		bump()
		frappe.db.after_commit.add(bump)
