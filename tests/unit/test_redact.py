"""Secrets never leave the machine: every planted secret is gone, ordinary text is untouched."""

from __future__ import annotations

import time

import pytest

from cockpit.advisor.redact import Redactor, redact

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzZ9xq3l0Nf1kBx\nq9fQ2oXqK1e9\n-----END RSA PRIVATE KEY-----"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

# (text, the secret that must disappear)
CASES = [
    ("DB_PASSWORD=hunter2hunter2", "hunter2hunter2"),
    ("password: s3cr3t-Value!", "s3cr3t-Value!"),
    ('{"client_secret": "abc.def-ghi"}', "abc.def-ghi"),
    ("api_key='k-123456789'", "k-123456789"),
    ("apikey=QWERTY123456", "QWERTY123456"),
    ("access_key: AKIDEXAMPLEVALUE", "AKIDEXAMPLEVALUE"),
    ("aws key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("Authorization: Bearer abcdef0123456789abcdef", "abcdef0123456789abcdef"),
    (f"cookie {JWT} seen", JWT),
    (f"key follows\n{PEM}\ndone", "MIIEowIBAAKCAQEAzZ9xq3l0Nf1kBx"),
    ("connecting to postgres://app:Pa55word@db.internal:5432/shop", "Pa55word"),
    ("MONGO=mongodb+srv://root:r00tpw@cluster0.example.net/db", "r00tpw"),
    ("redis://:redispass123@cache:6379/0", "redispass123"),
    ("dsn host=db user=app password=dsnpass123 dbname=x", "dsnpass123"),
    ("https://user:webpass99@registry.example.com/v2/", "webpass99"),
    ("ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123"),
    ("openai sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX", "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX"),
    ("git clone with ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_0123456789abcdefghijABCDEFGHIJ012345"),
    ("slack xoxb-1234567890-0987654321-AbCdEfGhIjKl", "xoxb-1234567890-0987654321-AbCdEfGhIjKl"),
    ("token=ghx.abc123", "ghx.abc123"),
]


@pytest.mark.parametrize(("text", "secret"), CASES)
def test_secret_removed(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert "REDACTED" in out


def test_pem_block_removed_whole() -> None:
    out = redact(f"a\n{PEM}\nb")
    assert "BEGIN RSA PRIVATE KEY" not in out and "q9fQ2oXqK1e9" not in out
    assert out.startswith("a\n") and out.endswith("\nb")


def test_context_around_secret_kept() -> None:
    out = redact("connecting to postgres://app:Pa55word@db.internal:5432/shop failed: timeout")
    assert "postgres://app:" in out and "@db.internal:5432/shop failed: timeout" in out


@pytest.mark.parametrize("text", [
    "container app OOMKilled, exit 137, restarts 12",
    "rate(http_requests_total{job=\"api\"}[5m]) tokens_total 42",
    "Back-off restarting failed container app in pod shop/checkout-api-7d9f-x2x",
    "https://grafana.example.com/d/abc?orgId=1",
    "image registry.example.com/shop/api:1.4.2 pulled",
])
def test_ordinary_text_untouched(text: str) -> None:
    assert redact(text) == text


def test_extra_patterns() -> None:
    r = Redactor(extra_patterns=[r"ACME-[0-9]{6}"])
    assert r.redact("ticket ACME-123456 opened") == "ticket [REDACTED] opened"


def test_fast_on_a_megabyte_of_logs() -> None:
    line = '2024-05-01T12:00:00Z level=info msg="GET /api/cart 200" duration=12ms user=42 trace=abcdef\n'
    text = line * (1_000_000 // len(line))
    start = time.perf_counter()
    out = Redactor().redact(text + "password=x1y2z3")
    assert time.perf_counter() - start < 3.0  # ~1 s here; catches catastrophic backtracking
    assert "x1y2z3" not in out
