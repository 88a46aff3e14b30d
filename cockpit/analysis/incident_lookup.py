"""Which incident draft a label names, looked up in dicts built once: 1k alerts against 300 drafts
must not scan every draft (bench/incidents.py). Names match as correlate.names_match says."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cockpit.analysis.correlate import ns_ok, workload_of
from cockpit.model import SLOStatus

if TYPE_CHECKING:
    from cockpit.analysis.incidents import Draft


def dash_prefixes(name: str) -> list[str]:
    """"checkout-api-v2" -> ["checkout", "checkout-api"]: the names correlate.names_match pairs it with."""
    parts = name.split("-")
    return ["-".join(parts[:n]) for n in range(1, len(parts))]


class NameIndex:
    """Service-like names -> drafts, matched as correlate.names_match does (equal or a dash-prefix),
    weighted by how many of a draft's rows carry the name."""

    def __init__(self) -> None:
        self.exact: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)  # name -> (draft, ns) -> rows
        self.longer: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)  # dash-prefix of a name -> same

    def add(self, name: str, draft: int, namespace: str, weight: int = 1) -> None:
        if not name:
            return
        self.exact[name][(draft, namespace)] += weight
        for prefix in dash_prefixes(name):
            self.longer[prefix][(draft, namespace)] += weight

    def query(self, names: Iterable[str], namespace: str, strict_ns: bool) -> Counter[int]:
        """Drafts whose names match one of `names`; strict_ns: the draft's namespace must be `namespace`."""
        out: Counter[int] = Counter()
        for name in names:
            sources = [self.exact.get(name), self.longer.get(name), *(self.exact.get(p) for p in dash_prefixes(name))]
            for src in sources:
                for (di, ns), n in (src or {}).items():
                    if (ns == namespace) if strict_ns else ns_ok(namespace, ns):
                        out[di] += n
        return out


@dataclass
class Lookup:
    services: NameIndex = field(default_factory=NameIndex)  # pods' app / workload names
    slo_services: NameIndex = field(default_factory=NameIndex)
    nodes: dict[str, int] = field(default_factory=dict)
    workloads: dict[tuple[str, str, str], Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    any_ns: dict[tuple[str, str], Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    slos: dict[tuple[str, str], int] = field(default_factory=dict)

    def add_draft(self, di: int, d: Draft) -> None:
        for n in d.nodes:
            self.nodes.setdefault(n.name, di)
        for w in d.workloads:
            self.workloads[(w.namespace, w.kind.lower(), w.name)][di] += 1000  # named outright: wins
            self.any_ns[(w.kind.lower(), w.name)][di] += 1000
            self.services.add(w.name.lower(), di, w.namespace, 1000)
        for p, _ in d.pods:
            wkind, wname = workload_of(p)
            self.workloads[(p.namespace, wkind, wname)][di] += 1
            self.any_ns[(wkind, wname)][di] += 1
            for name in {p.service.lower(), wname.lower()}:
                self.services.add(name, di, p.namespace)

    def add_slo(self, di: int, s: SLOStatus) -> None:
        self.slos[(s.service, s.name)] = di
        self.slo_services.add(s.service.lower(), di, s.namespace)
