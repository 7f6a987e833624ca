"""The email channel against a real SMTP server (aiosmtpd on 127.0.0.1): the mail as sent, its
Message-ID from the delivery id, unknown recipients failed for good and 4xx answers retried."""

import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.email import EmailChannel
from tests.messaging.support import NOW

ENVELOPE = Envelope("mo-3-9", "k9", 3, "li@example.com", "会员日", "本周六全场九折", {})


class Mailbox:
    """An SMTP server's handler: refuses ``nobody@`` (550) and ``busy@`` (451), keeps the rest."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, Settings]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings = Settings(
        database_url="sqlite://",
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_from="club@tea.example",
        outbox_send_timeout_seconds=5,
    )
    try:
        yield mailbox, settings
    finally:
        controller.stop()


def test_a_mail_is_sent_with_its_message_id(smtp: tuple[Mailbox, Settings]) -> None:
    mailbox, settings = smtp
    with clock.frozen(NOW):
        provider_id = EmailChannel(settings).send(ENVELOPE)
    assert provider_id == "<mo-3-9@tea.example>"
    [(recipients, content)] = mailbox.mails
    mail = message_from_bytes(content)
    assert recipients == ["li@example.com"]
    assert (mail["From"], mail["To"], mail["Message-ID"]) == (
        "club@tea.example",
        "li@example.com",
        "<mo-3-9@tea.example>",
    )
    assert mail["Date"] == "Thu, 03 Dec 2026 10:00:00 +0000"
    assert str(mail.get_payload(decode=True), "utf-8").strip() == "本周六全场九折"


@pytest.mark.parametrize(
    ("recipient", "permanent", "reason"),
    [
        ("nobody@example.com", True, "SMTP 550: 5.1.1 No such user"),
        ("busy@example.com", False, "SMTP 451: 4.7.1 Try again later"),
    ],
)
def test_refused_recipients(
    smtp: tuple[Mailbox, Settings], recipient: str, permanent: bool, reason: str
) -> None:
    mailbox, settings = smtp
    envelope = Envelope("mo-3-10", "k10", 3, recipient, "s", "b", {})
    with clock.frozen(NOW), pytest.raises(SendFailed) as refused:
        EmailChannel(settings).send(envelope)
    assert (refused.value.permanent, refused.value.reason) == (permanent, reason)
    assert mailbox.mails == []


def test_the_channel_logs_in_when_a_user_is_set(smtp: tuple[Mailbox, Settings]) -> None:
    mailbox, settings = smtp
    logins: list[bytes] = []

    def login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        logins.append(data.login)
        return AuthResult(success=(data.login, data.password) == (b"club", b"pw"))

    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=login,
        auth_require_tls=False,
    )
    controller.start()
    try:
        changes = {"smtp_port": controller.port, "smtp_user": "club", "smtp_password": "pw"}
        with clock.frozen(NOW):
            EmailChannel(settings.model_copy(update=changes)).send(ENVELOPE)
    finally:
        controller.stop()
    assert (logins, len(mailbox.mails)) == ([b"club"], 1)


def test_a_server_that_is_down_is_retried() -> None:
    settings = Settings(database_url="sqlite://", smtp_host="127.0.0.1", smtp_port=_free_port())
    with clock.frozen(NOW), pytest.raises(SendFailed) as refused:
        EmailChannel(settings).send(ENVELOPE)
    assert refused.value.permanent is False
    assert refused.value.reason.startswith("ConnectionRefusedError")


def test_an_unconfigured_email_channel_fails_for_good() -> None:
    with pytest.raises(SendFailed) as refused:
        EmailChannel(Settings(database_url="sqlite://")).send(ENVELOPE)
    assert refused.value.permanent is True
