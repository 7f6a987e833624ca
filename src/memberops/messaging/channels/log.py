"""The default channel: writes each message to the log and always succeeds, so a fresh
install delivers (visibly) without any provider."""

import logging

from memberops.messaging.channels import Envelope

log = logging.getLogger("memberops.messaging")


class LogChannel:
    def send(self, envelope: Envelope) -> str:
        log.info(
            "message %s to %s: %s %s",
            envelope.delivery_id,
            envelope.recipient,
            envelope.subject,
            envelope.body,
        )
        return envelope.delivery_id
