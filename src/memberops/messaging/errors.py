"""Errors of the messaging room."""

from memberops.kernel.errors import InvalidInput, NotFound


class MessageNotFound(NotFound):
    """No message with this id in the tenant."""

    code = "messaging.not_found"
    title = "Message not found"


class NoRecipient(InvalidInput):
    """The message names no recipient and its member has no address on the channel (an email
    identity for email, a phone for SMS, a WeChat openid for WeChat)."""

    code = "messaging.no_recipient"
    title = "No recipient"
