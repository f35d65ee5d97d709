"""The rate limiter's counters in the app's database, so that every worker and every app
server counts in the same rows (webapp/limits.py says what is counted)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from webapp import db
from webapp.models import RateLimitCounter


class DatabaseStorage(Storage):
    """Fixed-window counters in the app's database: one upsert per hit, in its own short
    transaction, so that every worker and every app server counts in the same row."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, *, engine: Engine, **options: Any) -> None:
        super().__init__(uri, **options)
        self.engine = engine
        self.table = RateLimitCounter.__table__

    @property
    def base_exceptions(self) -> type[Exception]:
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now, key = time.time(), stored_key(key)
        start = max(amount, 0)  # a try given back after its window ended gives nothing extra
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        table = self.table
        expired = table.c.expires_at <= now
        upsert = dialect.insert(table).values(key=key, count=start, expires_at=now + expiry)
        upsert = upsert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": sa.case((expired, start), else_=table.c.count + amount),
                "expires_at": sa.case((expired, now + expiry), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        with self._transaction() as conn:
            count = conn.execute(upsert).scalar_one()
            if count == start:  # most likely a new window: clear out the windows that ended
                conn.execute(sa.delete(table).where(table.c.expires_at < now))
        return count

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None else time.time()

    def check(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True

    def reset(self) -> int | None:
        with self._transaction() as conn:
            return conn.execute(sa.delete(self.table)).rowcount

    def clear(self, key: str) -> None:
        with self._transaction() as conn:
            conn.execute(sa.delete(self.table).where(self.table.c.key == stored_key(key)))

    def _row(self, key: str) -> Any:
        with self.engine.connect() as conn:
            query = sa.select(self.table).where(self.table.c.key == stored_key(key))
            return conn.execute(query).first()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        # On SQLite a counter's transaction takes the write lock at once and waits for it;
        # the request's own transactions keep the mode they had (a send reads first).
        token = db.writing.set(True)
        try:
            with self.engine.begin() as conn:
                yield conn
        finally:
            db.writing.reset(token)


def stored_key(key: str) -> str:
    return key if len(key) <= 255 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()
