"""botocore's client side of every AWS call: pure work it redoes per request done once, and no signature computed
where nothing reads it."""

from __future__ import annotations

import math
from typing import Any

from botocore import auth, useragent
from botocore.exceptions import NoCredentialsError
from moto import settings

from .base import cache, original, patch, remember

_sanitized: dict[tuple[str, bool], str] = cache()  # (component, allow_hash) -> sanitized


@patch(
    "botocore_user_agent_sanitize_cache",
    useragent,
    "sanitize_user_agent_string_component",
    why="botocore builds the User-Agent header twice per request from ~12 components, checking each of their "
    "characters against the allowed set one by one (~3 % of a chaos worker); the same few strings every time",
    relies_on="useragent.UserAgentComponent.to_string calls the module-level sanitize_user_agent_string_component("
    "raw_str, allow_hash), a pure function of its two arguments",
)
def _sanitize(raw_str: str, allow_hash: bool) -> str:
    key = (raw_str, allow_hash)
    clean = _sanitized.get(key)
    if clean is None:
        clean = remember(_sanitized, key, original("botocore_user_agent_sanitize_cache")(raw_str, allow_hash))
    return clean


UNREAD_SIGNATURE = "0" * 64  # the length of a SigV4 signature; moto reads the credential scope, never this


def _moto_checks_signatures() -> bool:
    return not math.isinf(settings.INITIAL_NO_AUTH_ACTION_COUNT)


@patch(
    "botocore_sigv4_signature_unread",
    auth.SigV4Auth,
    "add_auth",
    why="every request is signed: the canonical request (headers parsed again, the body hashed) and five HMACs "
    "(~0.07 ms a call, ~3 % of a chaos worker), for a signature nothing in the process reads: moto checks signatures "
    "only with its access control on (INITIAL_NO_AUTH_ACTION_COUNT), which the local cloud never turns on (its IAM "
    "checks read the caller); the Authorization header keeps its credential scope (moto's account and region) and "
    "signed headers, with a placeholder signature",
    relies_on="SigV4Auth.add_auth: timestamp into request.context, _modify_request_before_signing (date and token "
    "headers), canonical_request/string_to_sign/signature used only for the signature passed to "
    "_inject_signature_to_request; moto reads Authorization only for the access key and region, and the signature "
    "only in moto.iam.access_control with access control on. Presigned URLs (SigV4QueryAuth) and S3's signer are "
    "left to botocore",
)
def _add_auth_without_signature(self: Any, request: Any) -> None:
    if type(self) is not auth.SigV4Auth or _moto_checks_signatures():
        original("botocore_sigv4_signature_unread")(self, request)
        return
    if self.credentials is None:
        raise NoCredentialsError()
    request.context["timestamp"] = auth.get_current_datetime().strftime(auth.SIGV4_TIMESTAMP)
    self._modify_request_before_signing(request)
    self._inject_signature_to_request(request, UNREAD_SIGNATURE)
