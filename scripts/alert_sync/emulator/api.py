"""What every endpoint shares: errors answered as ``{"error_code", "message"}`` JSON, timestamps,
and list paging (page_size, page_token -> next_page_token)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime, timezone

# [DOCS] list page_size defaults to 20. The maximum for /api/2.0/alerts (v2) is not in the SDK; the
# v1 alerts/queries list docs say "<= 100", and so does a third-party reference for v2. We take 100
# and clamp larger values to it (AIP-158 style) rather than erroring: clients must follow
# next_page_token either way.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class ApiError(Exception):
    """An error answered as ``{"error_code", "message"}`` JSON."""

    def __init__(self, status: int, error_code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message
        self.headers = headers or {}


def invalid(message: str) -> ApiError:
    return ApiError(400, "INVALID_PARAMETER_VALUE", message)


def malformed_body() -> ApiError:
    return ApiError(400, "MALFORMED_REQUEST", "Request body must be a JSON object")


def timestamp() -> str:
    """RFC 3339 UTC with a Z suffix, millisecond precision (like the service's create_time)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _encode_token(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode_token(token: str):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        key = json.loads(raw)
        if isinstance(key, list) and len(key) == 2 and isinstance(key[0], str) \
                and isinstance(key[1], int):
            return tuple(key)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        pass
    raise invalid(f"page_token: {token!r} is not a valid page token")


def paginate(items: list, query: dict, sort_key) -> tuple[list, str | None]:
    """items sorted by sort_key; returns (page, next_page_token)."""
    raw_size = query.get("page_size", "")
    if raw_size in ("", None):
        size = DEFAULT_PAGE_SIZE
    elif not re.fullmatch(r"[0-9]+", raw_size):
        raise invalid(f"page_size: {raw_size!r} is not a non-negative integer")
    else:  # proto3: 0 means unset
        size = min(int(raw_size), MAX_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    token = query.get("page_token")
    if token:
        after = _decode_token(token)
        items = [i for i in items if sort_key(i) > after]
    page = items[:size]
    next_token = _encode_token(list(sort_key(page[-1]))) if len(items) > size else None
    return page, next_token
