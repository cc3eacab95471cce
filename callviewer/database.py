"""Database connections while a request waits on a provider.

A page holds its database connection from its first query to its end, and most of a page's
time is spent waiting on a provider. With a connection pool (PostgreSQL, settings) the
request gives its connection back before each wait and takes one again for its next query,
so a process needs connections for its database work, not for every thread that waits.
"""

from __future__ import annotations

from django.db import connection


def release_connection() -> None:
    """Give this thread's connection back (to the pool) before a wait; a no-op inside a
    transaction (the admin's forms, the test suite), whose connection must stay."""
    if connection.connection is not None and not connection.in_atomic_block:
        connection.close()
