"""The slice of a Pod's JSON that cockpit reads, as msgspec Structs.

Decoding a pod list straight into these skips everything else (managedFields, probes, env, volumes:
most of each pod) without building a Python object for it. Measured on 10,000 realistic pods:
decode + parse 0.29 s, against 0.55 s for json-to-dicts + parse. Every field is optional and numbers
or booleans sent as strings are accepted (`strict=False`); a field of another type fails the page,
which the source reports as an unreadable answer (the apiserver's JSON is typed). kube_parse turns
these into cockpit.model dataclasses.
"""

from __future__ import annotations

from typing import Any

import msgspec


class _S(msgspec.Struct, frozen=True):
    """Base: unknown JSON fields are ignored, absent ones are None."""


class OwnerRef(_S, frozen=True):
    kind: str | None = None
    name: str | None = None
    controller: bool | None = None


class ObjectMeta(_S, frozen=True):
    name: str | None = None
    namespace: str | None = None
    creationTimestamp: str | None = None
    deletionTimestamp: str | None = None
    labels: dict[str, str] | None = None
    ownerReferences: list[OwnerRef] | None = None
    resourceVersion: str | None = None


class Resources(_S, frozen=True):
    limits: dict[str, Any] | None = None
    requests: dict[str, Any] | None = None


class ContainerSpec(_S, frozen=True):
    name: str | None = None
    image: str | None = None
    resources: Resources | None = None


class PodSpec(_S, frozen=True):
    nodeName: str | None = None
    containers: list[ContainerSpec] | None = None
    initContainers: list[ContainerSpec] | None = None


class StateDetail(_S, frozen=True):
    reason: str | None = None
    message: str | None = None
    exitCode: int | None = None
    finishedAt: str | None = None


class ContainerStateJSON(_S, frozen=True):
    running: dict[str, Any] | None = None
    waiting: StateDetail | None = None
    terminated: StateDetail | None = None


class LastState(_S, frozen=True):
    terminated: StateDetail | None = None


class ContainerStatus(_S, frozen=True):
    name: str | None = None
    image: str | None = None
    ready: bool | None = None
    restartCount: int | None = None
    state: ContainerStateJSON | None = None
    lastState: LastState | None = None


class Condition(_S, frozen=True):
    type: str | None = None
    status: str | None = None
    reason: str | None = None
    message: str | None = None


class PodStatus(_S, frozen=True):
    phase: str | None = None
    reason: str | None = None
    message: str | None = None
    conditions: list[Condition] | None = None
    containerStatuses: list[ContainerStatus] | None = None
    initContainerStatuses: list[ContainerStatus] | None = None


class PodJSON(_S, frozen=True):
    metadata: ObjectMeta | None = None
    spec: PodSpec | None = None
    status: PodStatus | None = None


class ListMeta(_S, frozen=True):
    resourceVersion: str | None = None
    continue_: str | None = msgspec.field(default=None, name="continue")


class PodListJSON(_S, frozen=True):
    metadata: ListMeta | None = None
    items: list[PodJSON] | None = None


class WatchEventJSON(_S, frozen=True):
    """`object` stays raw: a pod for ADDED/MODIFIED/DELETED, a Status for ERROR, metadata only for
    BOOKMARK."""

    type: str | None = None
    object: msgspec.Raw = msgspec.field(default_factory=msgspec.Raw)  # empty when absent


POD_LIST = msgspec.json.Decoder(PodListJSON, strict=False)
POD = msgspec.json.Decoder(PodJSON, strict=False)
WATCH_EVENT = msgspec.json.Decoder(WatchEventJSON, strict=False)
decode_json = msgspec.json.Decoder().decode  # any JSON -> dicts and lists


def pod_json(obj: dict[str, Any]) -> PodJSON:
    """A pod already decoded to dicts (a single GET, a test fixture) -> PodJSON."""
    return msgspec.convert(obj, PodJSON, strict=False)
