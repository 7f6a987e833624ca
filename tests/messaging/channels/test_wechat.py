"""The WeChat channel against a local server speaking the official-account API: the access token
fetched once and kept, template messages with ``client_msg_id``, errcodes sorted into sent,
retried (rate limits) and failed (invalid or unsubscribed openids), an expired token replaced."""

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from memberops.kernel import clock
from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.wechat import WechatChannel
from tests.messaging.servers import Answer, Request, http_server
from tests.messaging.support import NOW

PAYLOAD = {
    "template_id": "TPL-1",
    "data": {"first": {"value": "积分到账"}},
    "url": "https://t.cn/x",
}


class OfficialAccount:
    """The platform: tokens ``t1``, ``t2``… valid 7200 s; ``revoke`` makes the current one
    expired; openids ``bad`` (40003), ``gone`` (43004) and ``busy`` (45009) are refused."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.revoked: set[str] = set()

    def __call__(self, request: Request) -> Answer:
        url = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/cgi-bin/token":
            if query.get("secret") != "app-secret":
                return Answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
            self.tokens.append(f"t{len(self.tokens) + 1}")
            return Answer(200, {"access_token": self.tokens[-1], "expires_in": 7200})
        if query.get("access_token") in self.revoked:
            return Answer(200, {"errcode": 42001, "errmsg": "access_token expired"})
        refusals = {"bad": (40003, "invalid openid"), "gone": (43004, "require subscribe")}
        refusals |= {"busy": (45009, "reach max api daily quota limit")}
        touser = request.json()["touser"]
        if touser in refusals:
            code, message = refusals[touser]
            return Answer(200, {"errcode": code, "errmsg": message})
        return Answer(200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332})


@pytest.fixture
def account() -> Iterator[tuple[OfficialAccount, WechatChannel, list[Request]]]:
    platform = OfficialAccount()
    with clock.frozen(NOW), http_server(platform) as (url, seen), httpx.Client() as client:
        yield platform, WechatChannel(client, url, "wx-app", "app-secret"), seen.requests


def _envelope(openid: str, payload: dict[str, object] = PAYLOAD) -> Envelope:
    return Envelope("mo-2-5", "k5", 2, openid, "", "正文", dict(payload))


def test_a_template_message_is_sent_with_a_cached_token(
    account: tuple[OfficialAccount, WechatChannel, list[Request]],
) -> None:
    platform, channel, requests = account
    assert channel.send(_envelope("o-1")) == "200228332"
    assert channel.send(_envelope("o-2")) == "200228332"
    assert platform.tokens == ["t1"]
    token, send = requests[0], requests[1]
    assert (
        token.path == "/cgi-bin/token?grant_type=client_credential&appid=wx-app&secret=app-secret"
    )
    assert send.path == "/cgi-bin/message/template/send?access_token=t1"
    assert send.json() == {
        "touser": "o-1",
        "template_id": "TPL-1",
        "data": {"first": {"value": "积分到账"}},
        "url": "https://t.cn/x",
        "client_msg_id": "mo-2-5",
    }


def test_the_body_is_the_content_field_without_data(
    account: tuple[OfficialAccount, WechatChannel, list[Request]],
) -> None:
    _, channel, requests = account
    channel.send(_envelope("o-1", {"template_id": "TPL-2"}))
    assert requests[-1].json()["data"] == {"content": {"value": "正文"}}
    assert "url" not in requests[-1].json()


def test_a_token_is_fetched_again_near_its_expiry(
    account: tuple[OfficialAccount, WechatChannel, list[Request]],
) -> None:
    platform, channel, _ = account
    channel.send(_envelope("o-1"))
    clock.advance(timedelta(seconds=7200 - 300))
    channel.send(_envelope("o-1"))
    assert platform.tokens == ["t1", "t2"]


def test_an_expired_token_is_replaced_and_the_message_sent(
    account: tuple[OfficialAccount, WechatChannel, list[Request]],
) -> None:
    platform, channel, requests = account
    channel.send(_envelope("o-1"))
    platform.revoked.add("t1")
    assert channel.send(_envelope("o-1")) == "200228332"
    assert requests[-1].path.endswith("access_token=t2")


@pytest.mark.parametrize(
    ("openid", "permanent", "reason"),
    [
        ("bad", True, "WeChat 40003: invalid openid"),
        ("gone", True, "WeChat 43004: require subscribe"),
        ("busy", False, "WeChat 45009: reach max api daily quota limit"),
    ],
)
def test_refusals(
    account: tuple[OfficialAccount, WechatChannel, list[Request]],
    openid: str,
    permanent: bool,
    reason: str,
) -> None:
    _, channel, _ = account
    with pytest.raises(SendFailed) as refused:
        channel.send(_envelope(openid))
    assert (refused.value.permanent, refused.value.reason) == (permanent, reason)


def test_bad_app_credentials_are_retried(
    account: tuple[OfficialAccount, WechatChannel, list[Request]],
) -> None:
    _, channel, _ = account
    channel.secret = "wrong"
    with pytest.raises(SendFailed) as refused:
        channel.send(_envelope("o-1"))
    assert (refused.value.permanent, refused.value.reason) == (
        False,
        "WeChat token: 40001 invalid credential",
    )


def test_a_message_without_a_template_fails_for_good(
    account: tuple[OfficialAccount, WechatChannel, list[Request]],
) -> None:
    _, channel, _ = account
    with pytest.raises(SendFailed) as refused:
        channel.send(_envelope("o-1", {}))
    assert refused.value.permanent is True
