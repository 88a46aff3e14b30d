"""A spec-faithful fake Kubernetes API server (TLS, bearer tokens) for the real client and kubectl."""

from tests.fakekube.server import FakeKube

__all__ = ["FakeKube"]
