"""Twilio's recording media, as TalkStack's `recordingUrls` point at it, served by the simulator.

`GET /2010-04-01/Accounts/{AC}/Recordings/{RE}` with no suffix or `.wav` answers WAV audio
(`audio/x-wav`) with Range support. `.mp3` answers 404: MP3 cannot be made by code here, so
the simulator's recording URLs all end in `.wav` or nothing.

Options (`sandbox.options`):
- "twilio_enforce_auth" (default True): Twilio's "Enforce HTTP Auth on Media URLs"; the
  request then needs Basic `AC...:auth token` of the account in the path, else 401.
- "twilio_redirect_to": a URL; authorised requests get a 302 to it, as Twilio redirects
  media to its storage (lets the recording proxy's redirect rules be tested).
"""

from __future__ import annotations

import base64
import binascii
import hmac

from . import accounts
from .audio import Wav
from .core import Handler, Sandbox, SimRequest, SimResponse, serve_media
from .talkstack_data import dataset

_PATH = (
    r"/2010-04-01/Accounts/(?P<account>AC[0-9a-f]{32})"
    r"/Recordings/(?P<sid>RE[0-9a-f]{32})(?P<ext>\.wav|\.mp3)?"
)


def _twilio_error(status: int, code: int, message: str) -> SimResponse:
    return SimResponse.json(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status,
    )


def _authorised(request: SimRequest, account: str) -> bool:
    scheme, _, encoded = request.header("authorization").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    token = accounts.TWILIO_ACCOUNTS.get(account, "")
    return user == account and bool(token) and hmac.compare_digest(password, token)


def recording_media(request: SimRequest, sandbox: Sandbox) -> SimResponse:
    assert request.match is not None
    account, sid, ext = request.match.group("account", "sid", "ext")
    if sandbox.options.get("twilio_enforce_auth", True) and not _authorised(request, account):
        response = _twilio_error(401, 20003, "Authenticate")
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        return response
    seconds = dataset(sandbox).recording_seconds.get(sid)
    if account not in accounts.TWILIO_ACCOUNTS or seconds is None or ext == ".mp3":
        return _twilio_error(404, 20404, "The requested resource was not found")
    if target := sandbox.options.get("twilio_redirect_to"):
        return SimResponse(302, b"", {"Location": str(target)})
    return serve_media(request, sandbox, Wav.lasting(sid, seconds), "audio/x-wav")


ROUTES: list[tuple[str, str, Handler]] = [("GET", _PATH, recording_media)]
