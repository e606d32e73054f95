"""The JetStream adapter's pure parts, and the nats-py quirks it must absorb."""

from typing import Any
from uuid import uuid4

import pytest

from catalog.adapters.jetstream import (
    MSG_ID,
    JetStreamBroker,
    JetStreamSettings,
    check_broker_url,
    decode,
    subject_of,
)
from catalog.bootstrap import broker_settings_from_env


@pytest.mark.parametrize("url", ["nats://127.0.0.1:4222", "tls://nats.internal:4443"])
def test_a_broker_url_names_a_host_and_port(url: str) -> None:
    assert check_broker_url(url) == url


@pytest.mark.parametrize(
    "url", ["127.0.0.1:4222", "http://h:4222", "nats://h", "nats://:4222", "nats://h:x"]
)
def test_a_malformed_broker_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"nats://HOST:PORT|bad port"):
        check_broker_url(url)


class _Msg:
    def __init__(self, subject: str, data: bytes, headers: dict[str, str] | None) -> None:
        self.subject, self.data, self.headers = subject, data, headers


def test_a_message_decodes_exactly_as_published() -> None:
    message_id = uuid4()
    raw: Any = _Msg(subject_of("product.created"), '{"é": 1}'.encode(), {MSG_ID: str(message_id)})
    message = decode(raw)
    assert (message.id, message.topic, message.payload) == (
        message_id,
        "product.created",
        '{"é": 1}',
    )


def test_a_message_without_its_id_does_not_decode() -> None:
    raw: Any = _Msg("catalog.product.created", b"{}", None)
    with pytest.raises(KeyError):
        decode(raw)


class _SlowSubscription:
    async def fetch(self, batch: int, timeout: float) -> list[object]:  # noqa: ASYNC109
        raise TimeoutError  # nats-py's _fetch_n raises the builtin, not nats.errors.TimeoutError


async def test_a_fetch_that_times_out_the_builtin_way_is_an_empty_fetch() -> None:
    broker = JetStreamBroker.__new__(JetStreamBroker)  # no connection: only _fetch is used
    broker._settings = JetStreamSettings()
    subscription: Any = _SlowSubscription()
    assert await broker._fetch(subscription) == []


def test_the_ack_wait_comes_from_the_environment_in_milliseconds() -> None:
    assert broker_settings_from_env({}).ack_wait == 30.0
    assert broker_settings_from_env({"CATALOG_BROKER_ACK_WAIT_MS": "2000"}).ack_wait == 2.0
