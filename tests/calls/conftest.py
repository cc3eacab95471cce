"""Fixtures shared by the call tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client


@pytest.fixture
def agent(client: Client, alice: User) -> Client:
    """The test client, signed in as alice (an agent)."""
    client.force_login(alice)
    return client
