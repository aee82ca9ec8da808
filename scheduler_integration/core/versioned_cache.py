"""Values built from the database, kept in this process and reused while their version is
unchanged.

Slot reads need every host's working hours and busy time as engine records; building
25,000 of them per request costs more than the search itself. So each worker process
keeps the built records under the version of their key (a host, a meeting type, a slug).

A version lives in two places:

- in the database (Scheduler Cache Version), written by ``invalidate`` in the same
  transaction as the change of a source. A builder reads it in the same snapshot as the
  rows it builds from, so a value is always stored under the version of the data it was
  built from: a reader whose transaction began before the change (an effect job, a
  lagging read replica) builds the old data under the old version, never under the new;
- in Redis, the latest committed version of each key: one round trip for every key of a
  read. Only ``invalidate`` writes it: it removes it at once (readers fall back to the
  database), sets the new one after commit and removes it again after a rollback.

A value is used only while its version equals the one in Redis, so it is never used past
a change of its source, whatever the order in which processes read, build and commit.
Versions are random, never counters. Redis may lose them (``bench clear-cache``, a
settings change clearing the site's cache): each cache also keeps an epoch there, and a
lost epoch outdates every value built before (clearing the cache refreshes everything,
also after a change made behind the app's back). A key Redis has no version of (never
changed, lost, or a change being committed) is read from the database, in the reader's
snapshot; the process reuses what it read for ``RECENT`` seconds (a page read would
otherwise query the database for it on every request until the key's next change). So a
value may outlive its source's change by at most ``RECENT`` seconds, and only when Redis
lost the new version or a later change of the key rolled back meanwhile.
Within one transaction a version Redis gave is reused (``_in_transaction``): the rows
built from are of one snapshot too, and every Redis round trip costs a web request under
load about what a tenth of Frappe's own request cycle does. A read that knows which keys it
will need reads them all at once (``read_ahead``: the keys the last call with the same
arguments read). A version so reused may be older than Redis's by the length of a
request; as with any read racing a commit, the booking's locked check decides.
A cache made with ``shared`` (the hosts' working hours) also keeps each value in Redis
under its key's epoch and version, built by the change's own request right after its
commit: the other workers read it there instead of building it again (right after one
host's change, four workers reading a team's month loaded that host's hours four times).
A version names one state of the rows, so a value shared under it is that state's, read
by whichever process.
Nothing here decides a booking: the booking transaction reads its inputs from the
database under the lock.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import secrets
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable

import frappe
import redis

MAX_ENTRIES = 5000  # per cache and process; least recently used go first
RECENT = 2.0  # seconds a version read from the database stands in for one Redis lacks
MAX_RECENT = 20000  # such versions kept per process (all dropped at once past it)
_RECENT: dict[tuple[str, str, str], tuple[bytes, float]] = {}  # (site, cache, key) -> (version, until)
NEVER = b"never-invalidated"  # the version of a key no change has touched yet
EPOCH = "__epoch__"  # the Redis field whose loss outdates every value of a cache
TABLE = "`tabScheduler Cache Version`"
# (cache, key) -> the version Redis gave (None: it had none) in the open transaction of a
# database connection; dropped when the transaction ends
_IN_TRANSACTION: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MAX_AHEAD = 2000  # read-ahead plans kept per process (all dropped at once past it)
_AHEAD: dict[tuple, tuple[tuple[str, str], ...]] = {}  # call's signature -> (cache, key) it read
SHARED_TTL = 3600  # seconds a value shared between processes stays in Redis


def _new_version() -> str:
	return secrets.token_hex(8)


def _row_name(cache: str, key: str) -> str:
	return hashlib.sha1(f"{cache}\n{key}".encode()).hexdigest()[:32]


class VersionedCache:
	"""``shared``: the values' builder, for a cache whose values are shared between the
	processes through Redis, each under its key's epoch and version (one build per change,
	not one per worker) and built as soon as a change commits (``invalidate``): the reads
	after a change of one host's hours find them built."""

	def __init__(self, name: str, shared: Callable[[list[str]], dict] | None = None):
		self.name = name
		self.shared = shared
		self.entries: OrderedDict = OrderedDict()  # (site, key) -> (version, value)

	def _redis_versions(self, keys: list[str]) -> tuple[bytes, list[bytes | None]]:
		"""This cache's epoch and the latest committed version of each key, as Redis has them
		(or gave them earlier in this transaction)."""
		memo = _in_transaction()
		wanted = [EPOCH, *keys]
		_fetch(memo, [(self.name, wanted)])
		epoch, *versions = (memo[(self.name, key)] for key in wanted)
		if epoch is None:  # Redis lost this cache's versions: every value is built again
			name = frappe.cache.make_key(self.name)
			pipe = frappe.cache.pipeline()
			pipe.hsetnx(name, EPOCH, _new_version())
			pipe.hget(name, EPOCH)
			epoch = memo[(self.name, EPOCH)] = pipe.execute()[-1]
		return epoch, versions

	def _db_versions(self, keys: list[str]) -> dict[str, bytes]:
		"""The versions of ``keys`` in this transaction's snapshot. A key never invalidated
		has no row: its version is ``NEVER`` (reading never writes, so it works on a
		read-only replica too)."""
		return {
			key: version for (_cache, key), version in _db_versions_of([(self.name, k) for k in keys]).items()
		}

	def get_many(self, keys: Iterable[str], build: Callable[[list[str]], dict]) -> dict:
		"""{key: value} for every key, building the missing or outdated ones with ``build``."""
		keys = list(dict.fromkeys(keys))
		if not keys:
			return {}
		site = frappe.local.site
		epoch, found = self._redis_versions(keys)
		current = dict(zip(keys, found, strict=True))
		if None in current.values():  # never changed, lost, or a change is being committed
			lacking = [(self.name, key) for key, version in current.items() if version is None]
			current.update({key: version for (_cache, key), version in _recent_versions_of(lacking).items()})
		out, missing = {}, []
		for key in keys:
			entry = self.entries.get((site, key))
			if entry is not None and entry[0] == (epoch, current[key]):
				self.entries.move_to_end((site, key))
				out[key] = entry[1]
			else:
				missing.append(key)
		if missing and self.shared is not None:
			# a key no change touched has no version of its own (NEVER names no one state of
			# its rows: a host deleted and made again has the same key): never shared
			known = [(key, current[key]) for key in missing if current[key] != NEVER]
			for key, value in self._shared_values(epoch, known).items():
				self.entries[(site, key)] = ((epoch, current[key]), value)
				out[key] = value
			missing = [key for key in missing if key not in out]
		if missing:
			self._build(epoch, missing, build, out)
		return out

	def _build(self, epoch: bytes, keys: list[str], build: Callable[[list[str]], dict], out: dict) -> None:
		# the versions, then the rows, in one snapshot: a value is stored under the version
		# of the data it was built from
		site = frappe.local.site
		versions = self._db_versions(keys)
		built = build(keys)
		for key in keys:
			self.entries[(site, key)] = ((epoch, versions[key]), built[key])
			out[key] = built[key]
		while len(self.entries) > MAX_ENTRIES:
			self.entries.popitem(last=False)
		if self.shared is not None:
			pipe = frappe.cache.pipeline(transaction=False)
			for key in keys:
				if versions[key] != NEVER:
					pipe.set(
						self._shared_key(epoch, key, versions[key]), pickle.dumps(built[key]), ex=SHARED_TTL
					)
			pipe.execute()

	def _shared_key(self, epoch: bytes, key: str, version: bytes) -> str:
		return frappe.cache.make_key(f"{self.name}:value:{epoch.decode()}:{version.decode()}:{key}")

	def _shared_values(self, epoch: bytes, wanted: list[tuple[str, bytes]]) -> dict:
		"""{key: value} of the ``wanted`` (key, version) pairs another process built and
		shared; a value that no longer loads (written by another release) is built again."""
		found = redis.Redis.mget(
			frappe.cache, [self._shared_key(epoch, key, version) for key, version in wanted]
		)
		out = {}
		for (key, _version), data in zip(wanted, found, strict=True):
			if data is not None:
				try:
					out[key] = pickle.loads(data)
				except Exception:
					continue  # built again below, and shared anew
		return out

	def warm(self, keys: list[str]) -> None:
		"""Build ``keys``' values now and share them (after their change committed: in a new
		snapshot, which has it). Keys that cannot be built now (a host deleted) are left to
		the next read."""
		try:
			epoch, _versions = self._redis_versions([])
			self._build(epoch, keys, self.shared, {})
		except Exception:
			pass  # the change is committed and its answer sent: the next read builds it
		# end the snapshot these reads began (nothing was written): the caller's next read
		# sees what others committed meanwhile, not the state of this moment (REPEATABLE READ)
		frappe.db.sql("commit")

	def invalidate(self, keys: Iterable[str]) -> None:
		# sorted: transactions outdating several of the same keys lock their rows in one order
		keys = sorted({key for key in keys if key})
		if not keys:
			return
		versions = {key: _new_version() for key in keys}
		frappe.db.sql(
			f"insert into {TABLE} (name, creation, modified, modified_by, owner, docstatus, idx,"
			" cache, `key`, version) values "
			+ ", ".join(
				["(%s, now(6), now(6), 'Administrator', 'Administrator', 0, 0, %s, %s, %s)"] * len(versions)
			)
			+ " on duplicate key update version = values(version), modified = values(modified)",
			[
				v
				for key, version in versions.items()
				for v in (_row_name(self.name, key), self.name, key, version)
			],
		)
		name = frappe.cache.make_key(self.name)
		site = frappe.local.site

		def forget():
			redis.Redis.hdel(frappe.cache, name, *keys)
			# this process's own reads of them: in this transaction they must see its change,
			# after it the committed version (or, rolled back, the one before)
			memo = _in_transaction()
			for key in keys:
				_RECENT.pop((site, self.name, key), None)
				memo.pop((self.name, key), None)

		def publish():
			redis.Redis.hset(frappe.cache, name, mapping=versions)
			for key in keys:
				_RECENT.pop((site, self.name, key), None)
			if self.shared is not None:
				self.warm(keys)

		forget()
		frappe.db.after_commit.add(publish)
		frappe.db.after_rollback.add(forget)


def stamp(parts: list[tuple[VersionedCache, list[str]]], snapshot: bool = False) -> tuple | None:
	"""The version of every key of several caches, comparable as a whole: a value built
	from all of them (a slot answer) is current while the stamp it was built under equals
	the stamp of now. One Redis round trip: each cache's epoch and the latest committed
	version of its keys; a key Redis does not have is read from the database (or this
	process's recent read of it: ``RECENT``). With ``snapshot`` every version is the one
	of this transaction's snapshot (to build under: the rows read next are of the same
	snapshot). None when a cache's epoch is gone (nothing built before it may be used)."""
	memo = _in_transaction()
	if snapshot:
		memo = {}  # what Redis holds now: a new epoch is started below if it lost one
	asked = [(cache.name, [EPOCH, *keys]) for cache, keys in parts]
	_fetch(memo, asked)
	found = [[memo[(name, key)] for key in keys] for name, keys in asked]
	wanted = [
		(cache.name, key)
		for (cache, keys), (_epoch, *versions) in zip(parts, found, strict=True)
		for key, version in zip(keys, versions, strict=True)
		if snapshot or version is None
	]
	from_db = _db_versions_of(wanted) if snapshot else _recent_versions_of(wanted)
	out = []
	for (cache, keys), (epoch, *versions) in zip(parts, found, strict=True):
		if epoch is None:
			if not snapshot:
				return None
			epoch, _versions = cache._redis_versions([])  # starts a new epoch
		out.append(
			(
				cache.name,
				epoch,
				tuple(
					from_db[(cache.name, key)] if snapshot or version is None else version
					for key, version in zip(keys, versions, strict=True)
				),
			)
		)
	return tuple(out)


def _db_versions_of(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
	"""{(cache, key): version} in this transaction's snapshot, in one query."""
	if not pairs:
		return {}
	names = {_row_name(cache, key): (cache, key) for cache, key in pairs}
	rows = frappe.db.sql(
		f"select name, version from {TABLE} where name in %(names)s", {"names": tuple(names)}
	)
	found = {names[name]: version.encode() for name, version in rows}
	return {pair: found.get(pair, NEVER) for pair in pairs}


def _recent_versions_of(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
	"""{(cache, key): version} of keys Redis has no version of: read from the database at
	most ``RECENT`` seconds ago by this process, else now (in this transaction's snapshot)."""
	site, now = frappe.local.site, time.monotonic()
	out, unknown = {}, []
	for cache, key in pairs:
		hit = _RECENT.get((site, cache, key))
		if hit is not None and hit[1] > now:
			out[(cache, key)] = hit[0]
		else:
			unknown.append((cache, key))
	if unknown:
		if len(_RECENT) > MAX_RECENT:
			_RECENT.clear()
		for (cache, key), version in _db_versions_of(unknown).items():
			_RECENT[(site, cache, key)] = (version, now + RECENT)
			out[(cache, key)] = version
	return out


def _in_transaction() -> dict:
	"""The versions Redis gave in the open transaction ({} outside one: a process without a
	database connection)."""
	db = getattr(frappe.local, "db", None)
	if db is None:
		return {}
	memo = _IN_TRANSACTION.get(db)
	if memo is None:
		memo = _IN_TRANSACTION[db] = {}

		def end():
			_IN_TRANSACTION.pop(db, None)

		db.after_commit.add(end)
		db.after_rollback.add(end)
	return memo


def _fetch(memo: dict, asked: Iterable[tuple[str, list[str]]]) -> None:
	"""Read the versions of ``asked`` ((cache, keys) pairs) that ``memo`` lacks into it, in
	one Redis round trip (none when it has them all)."""
	pipe = frappe.cache.pipeline(transaction=False)
	store = _queue(pipe, memo, asked)
	if store is not None:
		store(pipe.execute())


def _queue(pipe, memo: dict, asked: Iterable[tuple[str, list[str]]]) -> Callable[[list], None] | None:
	"""Queue on ``pipe`` the reads of the versions of ``asked`` that ``memo`` lacks; the
	function that stores their replies in ``memo`` (None: nothing to read)."""
	asked = [
		(name, missing)
		for name, keys in asked
		if (missing := [key for key in dict.fromkeys(keys) if (name, key) not in memo])
	]
	if not asked:
		return None
	for name, keys in asked:
		pipe.hmget(frappe.cache.make_key(name), keys)

	def store(replies: list) -> None:
		for (name, keys), versions in zip(asked, replies, strict=True):
			memo.update(zip(((name, key) for key in keys), versions, strict=True))

	return store


def read_ahead(*arguments: str):
	"""A decorator for a request that reads versioned values: before it runs, read in one
	Redis round trip the versions the last call with the same ``arguments`` read (its
	caches' epochs and keys), so that its reads take them from this transaction's memo;
	after it, remember what it read. A wrong guess costs only the round trips it would
	have made anyway. A decorator above it may send those reads in a round trip of its own
	(``wrapper.queue_reads``: ``core.limits.per_ip`` counts the request in the same one)."""

	def decorator(fn):
		def signature(kwargs: dict) -> tuple:
			return (
				frappe.local.site,
				fn.__qualname__,
				*(str(kwargs.get(name) or "") for name in arguments),
			)

		def queue_reads(pipe, kwargs: dict) -> Callable[[list], None] | None:
			"""Queue on ``pipe`` the reads this call is expected to make; the function that
			takes their replies (None: nothing to read, or no database connection)."""
			plan = _AHEAD.get(signature(kwargs))
			if not plan or getattr(frappe.local, "db", None) is None:
				return None
			by_cache: dict[str, list[str]] = {}
			for name, key in plan:
				by_cache.setdefault(name, []).append(key)
			return _queue(pipe, _in_transaction(), by_cache.items())

		@functools.wraps(fn)
		def wrapper(*args, **kwargs):
			memo = _in_transaction()
			pipe = frappe.cache.pipeline(transaction=False)
			store = queue_reads(pipe, kwargs)  # nothing left when a decorator above read them
			if store is not None:
				store(pipe.execute())
			try:
				return fn(*args, **kwargs)
			finally:
				if memo:
					if len(_AHEAD) > MAX_AHEAD:
						_AHEAD.clear()
					_AHEAD[signature(kwargs)] = tuple(memo)

		wrapper.queue_reads = queue_reads
		return wrapper

	return decorator
