"""mTLS as an option: certificates generated into a temporary folder, one call with a client
certificate, and a client without one refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender.certs import generate
from recommender.server import RunningServer
from recommender.settings import Settings, TlsSettings, from_env

Auth = tuple[tuple[str, str], ...]
REQUEST = pb.RecommendRequest(user_id="u-1", language="es")


async def test_an_mtls_call_with_a_client_certificate(
    tmp_path: Path, settings: Settings, start_server: Any, auth: Auth
) -> None:
    files = generate(tmp_path / "certs")
    tls = TlsSettings(files["server_cert"], files["server_key"], files["ca"])
    running: RunningServer = await start_server(replace(settings, tls=tls))
    target = f"localhost:{running.port}"
    ca = files["ca"].read_bytes()
    good = grpc.ssl_channel_credentials(
        root_certificates=ca,
        private_key=files["client_key"].read_bytes(),
        certificate_chain=files["client_cert"].read_bytes(),
    )
    async with grpc.aio.secure_channel(target, good) as channel:
        response = await pb_grpc.RecommendationServiceStub(channel).Recommend(
            REQUEST, metadata=auth
        )
    assert response.recommendations
    anonymous = grpc.ssl_channel_credentials(root_certificates=ca)
    async with grpc.aio.secure_channel(target, anonymous) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await pb_grpc.RecommendationServiceStub(channel).Recommend(
                REQUEST, metadata=auth, timeout=5
            )
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_tls_settings_come_from_the_environment(tmp_path: Path) -> None:
    files = generate(tmp_path)
    settings = from_env(
        {
            "RECOMMENDER_TLS_CERT": str(files["server_cert"]),
            "RECOMMENDER_TLS_KEY": str(files["server_key"]),
            "RECOMMENDER_TLS_CLIENT_CA": str(files["ca"]),
        }
    )
    assert settings.tls == TlsSettings(files["server_cert"], files["server_key"], files["ca"])
    assert oct(files["server_key"].stat().st_mode & 0o777) == "0o600"
