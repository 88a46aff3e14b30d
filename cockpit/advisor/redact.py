"""Remove secrets from text before it leaves the machine (the Anthropic request, a tool result).

One pass of a few compiled regexes; each match is replaced by a marker naming what was removed
(`[REDACTED:aws-key]`), so the model still knows a value was there. Key=value rules keep the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_KEYS = (
    r"password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|"
    r"auth[_-]?token|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret[_-]?access[_-]?key|"
    r"private[_-]?key|credentials?|session[_-]?key|x-api-key|authorization"
)

# (name, pattern, replacement). Order matters: whole blocks and structured forms first.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("pem", r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", "[REDACTED:pem]"),
    # scheme://user:pass@host keeps scheme, user and host: useful context, no secret.
    ("url-cred", r"\b([a-z][a-z0-9+.\-]*://)([^\s:/@'\"]*):([^\s@/'\"]+)@", r"\1\2:[REDACTED]@"),
    ("bearer", r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*", r"\1 [REDACTED]"),
    ("jwt", r"\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}", "[REDACTED:jwt]"),
    ("anthropic-key", r"\bsk-(?:ant-)?[A-Za-z0-9_\-]{16,}", "[REDACTED:api-key]"),
    ("github-token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})", "[REDACTED:github-token]"),
    ("slack-token", r"\bxox[abprs]-[A-Za-z0-9\-]{10,}", "[REDACTED:slack-token]"),
    ("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/]+", "[REDACTED:slack-webhook]"),
    ("aws-key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b", "[REDACTED:aws-key]"),
    ("google-key", r"\bAIza[0-9A-Za-z_\-]{35}\b", "[REDACTED:google-key]"),
    # key=value, key: value, "key": "value", key="value" (JSON, YAML, env, DSNs with password=).
    (
        "key-value",
        # Starts at the key word itself (DB_PASSWORD matches at PASSWORD): a leading [\w]* costs 10x.
        rf"(?i)((?:{_KEYS})\b[\"']?\s*[:=]\s*)(\"[^\"\n]*\"|'[^'\n]*'|[^\s,;&\"'}}\])]+)",
        r"\1[REDACTED]",
    ),
    # A 40-character AWS secret key standing alone after an AWS access key id mention.
    ("aws-secret", r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])(?=.*)", "[REDACTED:aws-secret]"),
)

_AWS_SECRET_HINT = re.compile(r"(?i)aws|secret|AKIA|ASIA")


class Redactor:
    """`Redactor().redact(text)`: the same text with every secret-looking value replaced."""

    def __init__(self, extra_patterns: Iterable[str] = ()) -> None:
        self._rules = [(name, re.compile(p, re.DOTALL if name == "pem" else 0), r) for name, p, r in _RULES]
        self._extra = [re.compile(p) for p in extra_patterns]

    def redact(self, text: str) -> str:
        if not text:
            return text
        for name, rx, repl in self._rules:
            # A bare 40-char base64 run is too common (hashes) to redact unless AWS is mentioned.
            if name == "aws-secret" and not _AWS_SECRET_HINT.search(text):
                continue
            text = rx.sub(repl, text)
        for rx in self._extra:
            text = rx.sub("[REDACTED]", text)
        return text


_DEFAULT = Redactor()


def redact(text: str) -> str:
    """Redact with the built-in rules only."""
    return _DEFAULT.redact(text)
