"""WeChat official-account template messages, as the platform's HTTP API takes them.

``POST {base}/cgi-bin/message/template/send?access_token=…`` with ``{"touser": openid,
"template_id": …, "url": …, "data": {"field": {"value": …}}, "client_msg_id": <delivery id>}``
(WeChat sends one message per openid and ``client_msg_id``). The message's ``payload`` gives
``template_id``, ``data`` (by default the body as ``content``) and an optional ``url``.
The access token comes from ``GET {base}/cgi-bin/token?grant_type=client_credential&appid=…
&secret=…`` and is kept until five minutes before it expires.

Answers are HTTP 200 with an ``errcode``: 0 is sent (``msgid`` is the provider id); 40003
(invalid openid) and 43004 (not a follower) fail the message; 45009 and 45047 (rate limits)
and -1 (busy) are retried; 40001, 40014 and 42001 (token invalid or expired) fetch a new token
and try once more; any other code fails the message.
"""

from datetime import datetime, timedelta
from typing import Any

import httpx

from memberops.kernel import clock
from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.http import json_of, request

RETRYABLE = frozenset({-1, 45009, 45047})
TOKEN_EXPIRED = frozenset({40001, 40014, 42001})
#: A cached token is dropped this long before WeChat says it expires.
TOKEN_MARGIN = timedelta(minutes=5)


class WechatChannel:
    def __init__(self, client: httpx.Client, base_url: str, app_id: str, secret: str) -> None:
        self.client, self.base_url, self.app_id, self.secret = client, base_url, app_id, secret
        self._token: tuple[str, datetime] | None = None

    def _url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def access_token(self) -> str:
        """The cached token, or a new one from ``/cgi-bin/token``."""
        if self._token is not None and clock.now() < self._token[1]:
            return self._token[0]
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}
        answer = json_of(request(self.client, "GET", self._url("/cgi-bin/token"), params=params))
        if "access_token" not in answer:
            raise SendFailed(f"WeChat token: {answer.get('errcode')} {answer.get('errmsg')}")
        lifetime = timedelta(seconds=int(answer.get("expires_in", 7200))) - TOKEN_MARGIN
        self._token = (str(answer["access_token"]), clock.now() + lifetime)
        return self._token[0]

    def _post(self, document: dict[str, Any]) -> dict[str, Any]:
        url = self._url("/cgi-bin/message/template/send")
        params = {"access_token": self.access_token()}
        return json_of(request(self.client, "POST", url, params=params, json=document))

    def send(self, envelope: Envelope) -> str:
        if not self.app_id:
            raise SendFailed(
                "wechat channel not configured (MEMBEROPS_WECHAT_APP_ID)", permanent=True
            )
        template = envelope.payload.get("template_id")
        if not template:
            raise SendFailed("a WeChat message needs payload.template_id", permanent=True)
        document = {
            "touser": envelope.recipient,
            "template_id": template,
            "data": envelope.payload.get("data") or {"content": {"value": envelope.body}},
            "client_msg_id": envelope.delivery_id,
        }
        if envelope.payload.get("url"):
            document["url"] = envelope.payload["url"]
        answer = self._post(document)
        if answer.get("errcode") in TOKEN_EXPIRED:
            self._token = None
            answer = self._post(document)
        code = answer.get("errcode", 0)
        if code == 0:
            return str(answer.get("msgid") or envelope.delivery_id)
        reason = f"WeChat {code}: {answer.get('errmsg', '')}"
        raise SendFailed(reason, permanent=code not in RETRYABLE | TOKEN_EXPIRED)
