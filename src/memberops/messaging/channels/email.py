"""Email over SMTP (``smtplib``): one connection per message, STARTTLS and login when the
settings say so. The ``Message-ID`` is made from the delivery id, so a mail system that drops
repeated Message-IDs (and every reader's mail client, which threads by it) sees a resend as the
same mail.

A recipient refused with a 5xx code (``550 no such user``) or a message refused with one fails
the message; 4xx answers (greylisting, rate limits) and connection trouble are retried.
"""

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime

from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.messaging.channels import Envelope, SendFailed


def message_id(envelope: Envelope, sender: str) -> str:
    return f"<{envelope.delivery_id}@{sender.rpartition('@')[2] or 'memberops'}>"


def _mail(envelope: Envelope, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = envelope.recipient
    mail["Subject"] = envelope.subject
    mail["Date"] = format_datetime(clock.now())
    mail["Message-ID"] = message_id(envelope, sender)
    mail.set_content(envelope.body)
    return mail


def _refused(code: int, reason: str) -> SendFailed:
    return SendFailed(f"SMTP {code}: {reason}", permanent=code >= 500)


class EmailChannel:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _deliver(self, mail: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.outbox_send_timeout_seconds) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(mail)

    def send(self, envelope: Envelope) -> str:
        if not self.settings.smtp_host:
            raise SendFailed("email channel not configured (MEMBEROPS_SMTP_HOST)", permanent=True)
        mail = _mail(envelope, self.settings.smtp_from)
        try:
            self._deliver(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            raise _refused(code, reason.decode(errors="replace")) from exc
        except smtplib.SMTPResponseException as exc:  # sender or data refused, login failed
            message = exc.smtp_error
            text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
            raise _refused(exc.smtp_code, text) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
        return str(mail["Message-ID"])
