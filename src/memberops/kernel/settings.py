"""Deployment settings, read from ``MEMBEROPS_*`` environment variables.

Nothing here opens a connection: the engine is made by whoever holds the settings (the app
factory, a CLI command, a test), so importing the package never touches a database.
"""

from datetime import time
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: SQLite's page cache per connection unless the settings say otherwise.
SQLITE_CACHE_MIB = 128


class Settings(BaseSettings):
    """Everything an engineer may set for a deployment.

    Per-merchant choices (timezone, currency, phone region) live on the tenant; the values here
    are only the defaults a new tenant starts with.
    """

    model_config = SettingsConfigDict(env_prefix="MEMBEROPS_", extra="ignore")

    database_url: str = "sqlite:///./memberops.db"
    secret_key: str = Field(
        default="",
        description="Signs console sessions; a random one is made per process when empty.",
    )
    default_timezone: str = "Asia/Shanghai"
    default_currency: str = "CNY"
    default_phone_region: str = "CN"
    default_locale: str = "zh-CN"
    max_body_bytes: int = 1_048_576
    console_reconnect_seconds: float = Field(
        default=30,
        gt=0,
        description="How long a console page's state (an opened panel, a half-filled form) "
        "waits for its browser to reconnect before it is dropped and the page reloads.",
    )
    sql_echo: bool = False
    sqlite_cache_mib: int = Field(
        default=SQLITE_CACHE_MIB,
        ge=1,
        description="SQLite page cache per connection, in MiB: a large history import probes "
        "indexes far beyond SQLite's 2 MiB default (measured: 11 % faster at 300,000 lines).",
    )
    worker_in_process: bool = Field(
        default=True,
        description="`memberops serve` runs the worker in a thread beside the server (what "
        "`make run` wants); turn off where `memberops worker` runs as a process of its own.",
    )
    demo_clock: bool = Field(
        default=False,
        description="A demo's console lets admins move the clock forward by hours or days "
        "(journeys then run at once); the move lasts until the process stops. Never in "
        "production: every time the process reads moves with it.",
    )
    worker_poll_seconds: float = Field(
        default=60, gt=0, description="Worker's pause between rounds."
    )
    daily_jobs_at: time = Field(
        default=time(0, 30),
        description="Local time (each tenant's timezone) from which the day's jobs run.",
    )
    job_lease_minutes: int = Field(
        default=120, ge=1, description="A run still going after this long is taken over."
    )
    job_retry_minutes: int = Field(default=15, ge=1, description="Wait before a failed run again.")
    job_attempts: int = Field(default=3, ge=1, description="Runs of a daily job per day at most.")
    # Messaging (docs/messaging.md): the outbox the worker delivers, and each channel's provider.
    outbox_poll_seconds: float = Field(
        default=5, gt=0, description="Worker's pause between outbox deliveries."
    )
    outbox_batch_size: int = Field(default=100, ge=1, description="Messages claimed at once.")
    outbox_lease_seconds: float = Field(
        default=300,
        gt=0,
        description="A claimed message not finished after this long (its worker died) is sent "
        "again; a worker stops sending its batch when the lease runs out.",
    )
    outbox_backoff_seconds: float = Field(
        default=30, gt=0, description="First retry's wait; each further retry waits twice as long."
    )
    outbox_backoff_max_seconds: float = Field(
        default=3600, gt=0, description="Longest wait between two attempts."
    )
    outbox_max_attempts: int = Field(
        default=8, ge=1, description="Attempts before a message fails for good."
    )
    outbox_send_timeout_seconds: float = Field(
        default=10, gt=0, description="Timeout of one provider request (HTTP or SMTP)."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where members reach this server: tracked links read `<this>/r/<token>`.",
    )
    webhook_url: str = Field(default="", description="Where the webhook channel POSTs messages.")
    webhook_secret: str = Field(default="", description="HMAC-SHA256 key of webhook signatures.")
    smtp_host: str = Field(default="", description="SMTP server of the email channel.")
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "memberops@localhost"
    smtp_starttls: bool = False
    sms_base_url: str = ""
    sms_api_key: str = ""
    sms_sender: str = Field(default="", description="Sender name or number the SMS provider shows.")
    wechat_base_url: str = "https://api.weixin.qq.com"
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    # Campaigns' guard rails (docs/campaigns.md): the frequency cap across every campaign and
    # the quiet hours, in the tenant's timezone, during which campaign messages wait.
    campaign_frequency_cap: int = Field(
        default=2, ge=1, description="Campaign messages a member gets at most per window."
    )
    campaign_frequency_days: int = Field(
        default=7, ge=1, description="The frequency cap's window, in days."
    )
    campaign_quiet_start: time = Field(
        default=time(22), description="Quiet hours begin (tenant's local time)."
    )
    campaign_quiet_end: time = Field(
        default=time(8), description="Quiet hours end: deferred messages go out then."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
