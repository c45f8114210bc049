"""DynamoDB Streams' reading calls to the local emulator, as plain JSON over connections kept
open.

The stream pump reads the streams many times a second; through boto3 each read was
serialised against the API's model, signed, and its answer parsed back, which took a
third of the stack's CPU under load. The emulator needs none of it: this client speaks
the same wire protocol (the same targets, bodies and answers), and hands the records over as
JSON, the shape Lambda gives a function, where boto3 would parse them into Python types
for the pump to turn back. A read may also wait for records
(``get_records(..., WaitSeconds=...)``, see ``local/emulator_wsgi.py``).
"""

from __future__ import annotations

import http.client
import json
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from local.kept_connections import KeptConnections

TARGET = "DynamoDBStreams_20120810"
WAIT_HEADER = "X-Local-Wait-Seconds"
"""Asks the emulator to hold a GetRecords answer until there are records (see
``local/emulator_wsgi.py``)."""
TIMEOUT_SECONDS = 30.0


class EmulatorStreams:
    """``describe_stream``, ``get_shard_iterator`` and ``get_records`` of a boto3
    DynamoDB Streams client, for the emulator at ``url``."""

    def __init__(self, url: str, *, region: str) -> None:
        self._emulator = KeptConnections(url)
        # moto takes the region (and the account, from the key) from the credential scope.
        self._authorization = (
            f"AWS4-HMAC-SHA256 Credential=local/20260101/{region}/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=local"
        )

    def describe_stream(self, **params: Any) -> dict[str, Any]:
        return self._call("DescribeStream", params)

    def get_shard_iterator(self, **params: Any) -> dict[str, Any]:
        return self._call("GetShardIterator", params)

    def get_records(self, *, WaitSeconds: float = 0.0, **params: Any) -> dict[str, Any]:
        """Records as JSON, in the shape Lambda hands them over (whole epoch seconds)."""
        answer = self._call("GetRecords", params, wait=WaitSeconds)
        for record in answer.get("Records", []):
            change = record.get("dynamodb", {})
            created = change.get("ApproximateCreationDateTime")
            if isinstance(created, float):
                change["ApproximateCreationDateTime"] = int(created)
        return answer

    def _call(self, action: str, params: dict[str, Any], *, wait: float = 0.0) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"{TARGET}.{action}",
            "Authorization": self._authorization,
        }
        if wait > 0:
            headers[WAIT_HEADER] = f"{wait:g}"
        body = json.dumps(params)
        try:
            status, payload = self._emulator.request(
                "POST", "/", body=body, headers=headers, timeout=TIMEOUT_SECONDS + wait
            )
        except (OSError, http.client.HTTPException) as error:
            raise EndpointConnectionError(endpoint_url=self._emulator.url, error=error) from error
        if status < 400:
            answer: dict[str, Any] = json.loads(payload) if payload else {}
            return answer
        try:
            refusal = json.loads(payload)
        except ValueError:  # moto's own failures come as text
            refusal = {"message": payload.decode("utf-8", "replace")}
        code = str(refusal.get("__type", "")).rsplit("#", 1)[-1] or str(status)
        message = str(refusal.get("message", refusal.get("Message", "")))
        raise ClientError({"Error": {"Code": code, "Message": message}}, action)
