"""An API caller per named person: `api(alice).post(path, {...})` with a bearer token."""

from __future__ import annotations

import json

import pytest


class ApiCaller:
    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def _send(self, method: str, path: str, body):
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers=self.headers,
        )

    def post(self, path: str, body=None):
        return self._send("post", path, body if body is not None else {})

    def patch(self, path: str, body):
        return self._send("patch", path, body)

    def delete(self, path: str):
        return self._send("delete", path, None)


@pytest.fixture
def api(client):
    from ketacare.accounts.services import create_api_token

    def make(person):
        user = getattr(person, "user", person)
        return ApiCaller(client, create_api_token(user=user, name="test").value)

    return make
