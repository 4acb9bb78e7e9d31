"""Schemathesis hooks for fuzzing the CRM gateway (scripts/fuzz.mjs loads them with SCHEMATHESIS_HOOKS).

- Auth: a real Keycloak token for the role under test, fetched from the local realm and refreshed before it expires.
- A check that error responses show nothing internal: no stack frames, file paths, exception class names or raw
  gRPC status texts.
"""

import json
import os
import re
import urllib.parse
import urllib.request

import schemathesis

ISSUER = os.environ["CRM_FUZZ_ISSUER"]
TOKEN_FORM = json.loads(os.environ["CRM_FUZZ_TOKEN_FORM"])


@schemathesis.auth(refresh_interval=60)
class KeycloakAuth:
    def get(self, case, ctx):
        data = urllib.parse.urlencode(TOKEN_FORM).encode()
        with urllib.request.urlopen(f"{ISSUER}/protocol/openid-connect/token", data, timeout=30) as response:
            return json.load(response)["access_token"]

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


INTERNAL = re.compile(
    r"\bat [\w$.<>]+ \(?[^()\s]*:\d+:\d+\)?"  # a JavaScript stack frame
    r"|Traceback \(most recent call last\)"
    r"|node_modules|/(?:work|root|home|usr|app|opt)/[\w./-]+\.(?:js|ts|mjs|cjs)"
    r"|\b(?:TypeError|ReferenceError|RangeError|MongoServerError|MongoError|MongoNetworkError|PostgresError"
    r"|DatabaseError|JetStreamApiError|NatsError)\b"
    r"|\b\d{1,2} (?:UNAVAILABLE|INTERNAL|UNKNOWN|DEADLINE_EXCEEDED|DATA_LOSS): "
)


@schemathesis.check
def no_internal_details(ctx, response, case):
    """An error answer says what the client did wrong or that the server failed, never how the server is built."""
    if response.status_code < 400:
        return None
    found = INTERNAL.search(response.text or "")
    if found:
        raise AssertionError(f"The error response shows internal details: {found.group(0)[:120]!r}")
    return None
