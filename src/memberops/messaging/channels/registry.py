"""Every channel adapter of a deployment, built from its settings once per worker, so the HTTP
connection pool (and WeChat's access token) lasts across deliveries."""

from types import TracebackType

import httpx

from memberops.kernel.settings import Settings
from memberops.messaging.channels import Channel
from memberops.messaging.channels.email import EmailChannel
from memberops.messaging.channels.log import LogChannel
from memberops.messaging.channels.sms import SmsChannel
from memberops.messaging.channels.webhook import WebhookChannel
from memberops.messaging.channels.wechat import WechatChannel
from memberops.messaging.models import ChannelName


class Channels:
    """The adapters by channel name; close it (or use it as a context manager) when done."""

    def __init__(self, settings: Settings) -> None:
        self.client = httpx.Client(timeout=settings.outbox_send_timeout_seconds)
        s, client = settings, self.client
        self.adapters: dict[str, Channel] = {
            ChannelName.log: LogChannel(),
            ChannelName.email: EmailChannel(s),
            ChannelName.webhook: WebhookChannel(client, s.webhook_url, s.webhook_secret),
            ChannelName.sms: SmsChannel(client, s.sms_base_url, s.sms_api_key, s.sms_sender),
            ChannelName.wechat: WechatChannel(
                client, s.wechat_base_url, s.wechat_app_id, s.wechat_app_secret
            ),
        }

    def get(self, name: str) -> Channel | None:
        return self.adapters.get(name)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Channels":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
