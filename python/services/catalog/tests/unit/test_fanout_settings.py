"""The fan-out's wiring from the environment."""

import pytest

from catalog.fanout.model import FanOutPolicy
from catalog.fanout.settings import (
    SettingsError,
    fan_out_from_env,
    policy_from_env,
    upstream_urls,
)
from catalog.fanout.upstreams import Http11Upstream, SimulatedUpstream
from catalog.resilience.upstream import ResilientUpstream


def test_defaults_need_nothing_running() -> None:
    assert policy_from_env({}) == FanOutPolicy()
    assert upstream_urls({}) == {}


def test_budgets_come_from_milliseconds() -> None:
    env = {
        "CATALOG_CALL_TIMEOUT_MS": "300",
        "CATALOG_DEADLINE_MS": "600",
        "CATALOG_MAX_CONCURRENCY": "3",
    }
    assert policy_from_env(env) == FanOutPolicy(call_timeout=0.3, deadline=0.6, max_concurrency=3)


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5"])
def test_a_bad_number_is_a_settings_error(value: str) -> None:
    with pytest.raises(SettingsError, match="CATALOG_DEADLINE_MS"):
        policy_from_env({"CATALOG_DEADLINE_MS": value})


def test_a_per_upstream_url_wins_over_the_common_one() -> None:
    env = {"CATALOG_UPSTREAM_URL": "http://a:1", "CATALOG_REVIEWS_URL": "http://b:2"}
    assert upstream_urls(env) == {
        "pricing": "http://a:1",
        "inventory": "http://a:1",
        "reviews": "http://b:2",
    }


def test_a_url_without_scheme_is_rejected() -> None:
    with pytest.raises(SettingsError, match="http"):
        upstream_urls({"CATALOG_UPSTREAM_URL": "localhost:9000"})


def test_invalid_policies_are_rejected() -> None:
    with pytest.raises(ValueError, match="positive"):
        FanOutPolicy(call_timeout=0)
    with pytest.raises(ValueError, match="at least 1"):
        FanOutPolicy(max_concurrency=0)


async def test_only_configured_upstreams_go_over_http() -> None:
    fan_out = fan_out_from_env({"CATALOG_PRICING_URL": "http://127.0.0.1:9"})
    try:
        upstreams = fan_out.aggregator._upstreams
        # Each adapter sits inside lab 4's ResilientUpstream (breaker, retries, telemetry).
        pricing, inventory = upstreams["pricing"], upstreams["inventory"]
        assert isinstance(pricing, ResilientUpstream)
        assert isinstance(inventory, ResilientUpstream)
        assert isinstance(pricing.inner, Http11Upstream)
        assert isinstance(inventory.inner, SimulatedUpstream)
        assert fan_out.client is not None
    finally:
        await fan_out.aclose()
    assert fan_out.client.is_closed
