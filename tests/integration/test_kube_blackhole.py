"""A black-holed API server (the TCP handshake completes, nothing ever answers): the error states the
timeout that actually expired and how long the retry took, not a read timeout that was never used."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import yaml

from cockpit.sources import kubernetes
from cockpit.sources.base import SourceError


def test_a_black_holed_apiserver_names_the_timeout_used(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(kubernetes, "CONNECT_TIMEOUT_S", 1.0)  # the TLS handshake runs under it
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)  # the kernel accepts connections; nobody reads them
    try:
        cfg = {"apiVersion": "v1", "kind": "Config", "current-context": "bh",
               "clusters": [{"name": "c", "cluster": {"server": f"https://127.0.0.1:{hole.getsockname()[1]}",
                                                      "insecure-skip-tls-verify": True}}],
               "users": [{"name": "u", "user": {"token": "t"}}],
               "contexts": [{"name": "bh", "context": {"cluster": "c", "user": "u"}}]}
        (tmp_path / "kc").write_text(yaml.safe_dump(cfg))
        cluster = kubernetes.load_clusters(str(tmp_path / "kc"))[0]
        started = time.monotonic()
        with pytest.raises(SourceError) as e:
            cluster.list_nodes()
        took = time.monotonic() - started
    finally:
        hole.close()
    msg = str(e.value)
    assert took < 5
    assert "no answer within 1s" in msg, msg
    assert f"{kubernetes.READ_TIMEOUT_S:g}s" not in msg, msg


def test_a_quoted_insecure_skip_tls_verify_in_a_kubeconfig_is_refused(tmp_path: Path) -> None:
    cfg = {"apiVersion": "v1", "kind": "Config", "current-context": "x",
           "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": "false"}}],
           "users": [{"name": "u", "user": {"token": "t"}}], "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}
    (tmp_path / "kc").write_text(yaml.safe_dump(cfg))
    with pytest.raises(SourceError, match="insecure-skip-tls-verify must be true or false"):
        kubernetes.load_clusters(str(tmp_path / "kc"))
