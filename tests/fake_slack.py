"""A local fake of the Slack Web API methods the report uses, on pytest-httpserver.

Shared by the report tests and the flow tests (the ``fake_slack`` fixture in conftest.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@dataclass
class FakeSlack:
    """Records every call (method, token, form or JSON payload) and answers like Slack."""

    server: HTTPServer
    valid_token: str
    calls: list[dict] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/api/")

    def install(self) -> None:
        for method in (
            "chat.postMessage",
            "files.getUploadURLExternal",
            "files.completeUploadExternal",
        ):
            self.server.expect_request(f"/api/{method}").respond_with_handler(self._api(method))
        self.server.expect_request("/upload/F123", method="POST").respond_with_handler(self._upload)

    def methods(self) -> list[str]:
        return [call["method"] for call in self.calls]

    def _api(self, method: str):
        def handle(request: Request) -> Response:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if request.mimetype == "application/json":
                payload = request.get_json()
            else:
                payload = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
            self.calls.append({"method": method, "token": token, "payload": payload})
            if token != self.valid_token:
                return _json({"ok": False, "error": "invalid_auth"})
            if method == "chat.postMessage":
                if not _blocks_within_limits(payload.get("blocks") or []):
                    return _json({"ok": False, "error": "invalid_blocks"})
                return _json({"ok": True, "channel": "C0TREASURY", "ts": "1717000000.000100"})
            if method == "files.getUploadURLExternal":
                return _json(
                    {
                        "ok": True,
                        "upload_url": self.server.url_for("/upload/F123"),
                        "file_id": "F123",
                    }
                )
            return _json({"ok": True, "files": [{"id": "F123", "title": "chart"}]})

        return handle

    def _upload(self, request: Request) -> Response:
        self.uploads.append(request.get_data())
        return Response("OK - 1234", status=200)


def _blocks_within_limits(blocks: list[dict] | str) -> bool:
    """Slack's own checks (Block Kit reference): at most 50 blocks; a header's text up to 150
    characters; a section's text up to 3,000, at most 10 fields of up to 2,000 each; a
    context block at most 10 elements of up to 3,000 each."""
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks

    def within(block: dict) -> bool:
        text = block.get("text", {}).get("text", "")
        fields = [field.get("text", "") for field in block.get("fields", [])]
        elements = [element.get("text", "") for element in block.get("elements", [])]
        return (
            len(text) <= (150 if block.get("type") == "header" else 3000)
            and len(fields) <= 10
            and all(len(field) <= 2000 for field in fields)
            and len(elements) <= 10
            and all(len(element) <= 3000 for element in elements)
        )

    return len(blocks) <= 50 and all(within(block) for block in blocks)


def _json(body: dict) -> Response:
    return Response(json.dumps(body), status=200, content_type="application/json")


FAKE_SLACK_TOKEN = "fake-slack-token-0000-not-real"
