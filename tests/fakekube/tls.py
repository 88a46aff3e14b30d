"""A throwaway self-signed certificate made by openssl, valid for 127.0.0.1 and localhost."""

from __future__ import annotations

import subprocess
from pathlib import Path


def make_cert(directory: Path) -> tuple[Path, Path]:
    """Return (cert, key). The cert is its own CA: put it in the kubeconfig's certificate-authority."""
    cert, key = directory / "apiserver.crt", directory / "apiserver.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-nodes", "-days", "2",
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=fakekube",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext", "basicConstraints=critical,CA:TRUE",
        ],
        check=True, capture_output=True, timeout=30,
    )
    return cert, key
