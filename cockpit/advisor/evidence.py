"""The evidence check: every pod, node, workload, alert and SLO name Marcus says must exist somewhere.

"Somewhere" is the snapshot he was shown (rows, labels, messages, incidents, changes) plus the tool
results of the same answer. A name found nowhere is followed by a mark, `(not on screen)`, kept as its
own span so the panel can dim it and `cockpit ask` prints it plain; the marks are counted.

What counts as a name matters more than the lookup: English must never be flagged. A word is checked
only when it is shaped like a Kubernetes name AND either carries a digit (`worker-7`,
`checkout-api-7d9f-x2x`), sits in a name slot (`pod X`, `node X`, `-n X`, `kind/X`, `ns/X` with a known
namespace), or — for CamelCase — reads as an alert name (next to "alert"/"firing", or a well-known
alert prefix/suffix) and is not Kubernetes vocabulary (`CrashLoopBackOff`, `ReplicaSet`, ...).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cockpit.advisor.base import AdvisorChunk
from cockpit.model import Snapshot

MARK = "(not on screen)"

DNS = re.compile(r"[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+")  # lowercase, at least one '-' or '.'
WORDISH = re.compile(r"[a-z][a-z0-9]*")
CAMEL = re.compile(r"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*")
_TOKENS = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_STRIP_LEAD = "([{\"'<«“‘*_"
_STRIP_TAIL = ".,;:!?)]}\"'>»”’…*_"

# The word before a name that says what kind of thing it is.
SLOT_WORDS = frozenset({
    "pod", "node", "deployment", "statefulset", "daemonset", "replicaset", "workload", "job", "cronjob",
    "namespace", "ns", "-n", "--namespace", "container", "alert", "slo", "service", "host", "instance",
})
KIND_WORDS = frozenset({
    "pod", "pods", "po", "node", "nodes", "no", "deployment", "deployments", "deploy", "statefulset", "sts",
    "daemonset", "ds", "replicaset", "rs", "job", "cronjob", "namespace", "ns", "svc", "service", "configmap",
    "cm", "secret", "ingress", "pvc", "hpa", "slo", "alert", "workload",
})
# Hyphenated English that can follow a slot word ("the pod crash-looping").
ENGLISH = frozenset({
    "crash-looping", "read-only", "not-ready", "non-zero", "up-to-date", "well-known", "so-called", "per-pod",
    "in-flight", "long-running", "out-of-memory", "self-healing", "on-call", "follow-up", "pod-level",
    "node-level", "low-priority", "high-priority", "multi-window", "multi-burn-rate", "error-budget",
    "utf-8", "sha-256", "x86-64", "e.g", "i.e", "etc", "one-off", "re-run", "re-check", "dry-run",
})
# CamelCase that is Kubernetes or tool vocabulary, not an alert name.
VOCAB = frozenset(w.lower() for w in """
CrashLoopBackOff ImagePullBackOff ErrImagePull ErrImageNeverPull InvalidImageName CreateContainerConfigError
CreateContainerError RunContainerError ContainerCreating PodInitializing OOMKilled NotReady MemoryPressure
DiskPressure PIDPressure NetworkUnavailable ContainersReady PodScheduled FailedScheduling FailedMount
BackOff NodeNotReady NodeReady NodeHasDiskPressure NodeHasInsufficientMemory Evicted Unschedulable
ProgressDeadlineExceeded NewReplicaSetAvailable ReplicaSetUpdated MinimumReplicasAvailable FailedCreate
ReplicaSet StatefulSet DaemonSet CronJob ConfigMap PodDisruptionBudget HorizontalPodAutoscaler
PersistentVolumeClaim PersistentVolume StorageClass NetworkPolicy ServiceAccount ClusterRole RoleBinding
ClusterRoleBinding ControllerRevision CustomResourceDefinition EndpointSlice PriorityClass ResourceQuota
LimitRange ReadinessProbe LivenessProbe StartupProbe PromQL LogQL TraceQL AlertManager PagerDuty OpsGenie
VictoriaMetrics GitHub GitLab GitOps ArgoCD OpenSLO OpenTelemetry CoreDNS KubeDNS DevOps HolmesGPT
JavaScript TypeScript PostgreSQL MySQL MongoDB GraphQL NodePort ClusterIP LoadBalancer ExternalName
OutOfMemoryError OutOfMemory DeadlineExceeded MiB GiB KiB TiB
""".split())
_ALERT_PREFIX = re.compile(r"^(Kube|Node|Prometheus|Alertmanager|Etcd|Target|Watchdog|CPU|Container|Pod)")
_ALERT_SUFFIX = re.compile(
    r"(High|Low|Down|Burn|Burning|Errors|Error|Latency|Looping|Failing|Failed|Mismatch|Stuck|Unavailable|"
    r"Unreachable|Missing|Absent|Exhausted|Saturated|Throttling|Full|FillingUp|Waiting|Restarting|Firing|"
    r"NotReady|Overcommit|Budget)$")
_ALERT_CONTEXT = frozenset({"alert", "alerts", "alertname", "firing", "fires", "fired", "fire", "paging", "pages"})


def _camel(word: str) -> bool:
    """CamelCase with two humps; an acronym's plural (SLOs, APIs) is not a name."""
    return (bool(CAMEL.fullmatch(word)) and sum(ch.isupper() for ch in word) >= 2
            and not re.fullmatch(r"[A-Z]+s", word))


# -- what exists ----------------------------------------------------------------------------------------
@dataclass
class Known:
    """Every name in a snapshot and in the tool results added so far (lowercased)."""

    names: set[str] = field(default_factory=set)
    namespaces: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)  # SLO services: `service/slo` names an SLO
    _sorted: list[str] | None = None

    @classmethod
    def of(cls, snapshot: Snapshot | None, extra: Iterable[str] = ()) -> Known:
        k = cls()
        if snapshot is not None:
            k._add_snapshot(snapshot)
        for text in extra:
            k.add_text(text)
        return k

    def _add(self, *values: object) -> None:
        for v in values:
            if v:
                self.names.add(str(v).lower())
        self._sorted = None

    def add_text(self, text: object) -> None:
        """Every name-shaped word of free text (a message, an annotation, a tool result)."""
        if text:
            self.names.update(t.lower() for t in _TOKENS.findall(str(text)))
            self._sorted = None

    def _add_snapshot(self, snap: Snapshot) -> None:
        from cockpit.analysis.correlate import workload_of

        names = self.names
        texts: set[str] = set()  # free text, tokenized once per distinct string (10k pods share images)
        for p in snap.pods:
            names.update((p.name.lower(), p.namespace.lower(), p.node.lower(), p.owner_name.lower(),
                          workload_of(p)[1].lower()))
            self.namespaces.add(p.namespace.lower())
            texts.update(p.labels.values())
            for c in p.containers:
                names.add(c.name.lower())
                texts.update((c.message, c.image))
            texts.update(cond[3] for cond in p.conditions)
            if p.message:
                texts.add(p.message)
        for a in snap.alerts:
            self._add(a.name, a.namespace)
            self.namespaces.add(a.namespace.lower())
            texts.update(a.labels.values())
            texts.update(a.annotations.values())
        for n in snap.nodes:
            self._add(n.name)
        for w in snap.workloads:
            self._add(w.name, w.namespace)
            self.namespaces.add(w.namespace.lower())
        for s in snap.slos:
            self._add(s.service, s.name, f"{s.service}/{s.name}", s.namespace)
            self.services.add(s.service.lower())
            texts.add(s.error)
        for e in snap.events:
            self._add(e.involved_name, e.namespace)
            texts.add(e.message)
        for sil in snap.silences:
            texts.add(sil.comment)
            texts.update(m.value for m in sil.matchers)
        texts.update(snap.sources)
        for f in snap.findings:
            texts.update((f.subject, f.summary))
        for i in snap.incidents:  # ids too: a cited [pod-25cbe6] must exist, an invented one is marked
            self._add(i.id, *(e.id for e in i.evidence))
            texts.update((i.title, i.cause, i.next_step, i.impact.text, *(e.text for e in i.evidence)))
            texts.update(i.members.workloads)
        for ch in snap.changes:
            texts.update((ch.subject, ch.summary, *ch.details.values()))
        for text in texts:
            self.add_text(text)
        self.namespaces.discard("")
        names.discard("")
        self._sorted = None

    def knows(self, name: str) -> bool:
        """Exact, or a known name continues it at a dash: `checkout-api-7d9f` of its pods, `api-*`."""
        n = name.lower().rstrip("*").rstrip("-")
        if not n or n in self.names:
            return True
        if self._sorted is None:
            self._sorted = sorted(self.names)
        i = bisect.bisect_left(self._sorted, n + "-")
        return i < len(self._sorted) and self._sorted[i].startswith(n + "-")


# -- what is a name --------------------------------------------------------------------------------------
def _core(word: str) -> str:
    w = word.strip("`")
    w = w.lstrip(_STRIP_LEAD)
    while w and w[-1] in _STRIP_TAIL + "`":
        w = w[:-1]
    return w.lstrip(_STRIP_LEAD)


def _strong(name: str) -> bool:
    """A Kubernetes-looking name: a dash, and a digit after it (`worker-7`, `api-7d9f8-x2x9k`,
    `ip-10-0-3-17`). `ipv4-only` or `e2e-tests` are words; `api-xxxxx` is a placeholder."""
    if not DNS.fullmatch(name) or "-" not in name or name in ENGLISH or "xxx" in name:
        return False
    return any(ch.isdigit() for ch in name.split("-", 1)[1])


def _slot_name(name: str) -> bool:
    return bool(DNS.fullmatch(name)) and name not in ENGLISH and ("-" in name or any(ch.isdigit() for ch in name))


def names_to_check(core: str, prev: str, window: set[str], known: Known) -> list[str]:
    """The names in one word (its punctuation stripped), given the word before it and nearby words."""
    if not core or "://" in core or core.startswith("-") or "=" in core or "{" in core or "@" in core:
        return []
    if "/" in core:
        parts = [p for p in core.split("/") if p]
        if len(parts) != 2:
            return []
        left, right = parts[0].lower(), parts[1]
        if left in KIND_WORDS:
            return [right] if (_slot_name(right.lower()) or right.islower() and WORDISH.fullmatch(right)) else []
        if left in known.namespaces or left in known.services or (_slot_name(left) and known.knows(left)):
            return [p for p in parts if DNS.fullmatch(p.lower()) or WORDISH.fullmatch(p.lower())]
        return [p for p in parts if _strong(p.lower())]
    if ":" in core:  # an image reference or host:port; the host part may be a node
        core = core.split(":", 1)[0]
        return [core] if _strong(core.lower()) and "." not in core else []
    low = core.lower()
    if _strong(low):
        return [core]
    if prev in SLOT_WORDS and _slot_name(low):
        return [core]
    if _camel(core) and low not in VOCAB and (window & _ALERT_CONTEXT or prev == "alert"
                                               or _ALERT_PREFIX.match(core) or _ALERT_SUFFIX.search(core)):
        return [core]
    return []


# -- checking an answer -----------------------------------------------------------------------------------
@dataclass
class Span:
    kind: str  # text | mark
    text: str


class StreamCheck:
    """Checks an answer as it streams: feed() text, get back spans; finish() flushes the held tail.

    The last word is held back until a space ends it; a mark for a name inside a `code span` waits
    for the closing backtick, so a command stays copy-pasteable.
    """

    def __init__(self, known: Known) -> None:
        self.known = known
        self.flagged: list[str] = []
        self.checked = 0
        self._tail = ""
        self._words: list[str] = []  # recent words, lowercased and stripped
        self._in_code = False
        self._pending: list[str] = []  # marks waiting for the code span to close

    def feed(self, text: str) -> list[Span]:
        buf = self._tail + text
        cut = max(buf.rfind(" "), buf.rfind("\n"))
        if cut < 0:
            self._tail = buf
            return []
        self._tail = buf[cut + 1:]
        return self._check(buf[:cut + 1])

    def finish(self) -> list[Span]:
        spans = self._check(self._tail)
        self._tail = ""
        if self._pending:
            spans.append(Span("mark", " " + " ".join(self._pending)))
            self._pending = []
        return spans

    def add_known(self, text: str) -> None:
        self.known.add_text(text)

    def _check(self, text: str) -> list[Span]:
        spans: list[Span] = []
        pos = 0
        for m in re.finditer(r"\S+", text):
            word = m.group()
            core = _core(word)
            window = set(self._words[-4:])
            prev = self._words[-1] if self._words else ""
            names = names_to_check(core, prev, window, self.known)
            self.checked += len(names)
            bad = [n for n in names if not self.known.knows(n)]
            ticks = word.count("`")
            closes_code = self._in_code and ticks % 2 == 1
            opens_code = not self._in_code and ticks % 2 == 1
            if bad:
                self.flagged += bad
                mark = MARK
                if self._in_code and not closes_code or opens_code:
                    self._pending.append(mark)
                else:
                    end = m.start() + _mark_at(word)
                    spans.append(Span("text", text[pos:end]))
                    spans.append(Span("mark", " " + mark))
                    pos = end
            if ticks % 2 == 1:
                self._in_code = not self._in_code
                if not self._in_code and self._pending:
                    end = m.start() + _mark_at(word)
                    spans.append(Span("text", text[pos:end]))
                    spans.append(Span("mark", " " + " ".join(self._pending)))
                    self._pending = []
                    pos = end
            self._words.append(core.lower())
            del self._words[:-8]
            if word.endswith((".", "!", "?", ":")) or "\n" in text[m.end():m.end() + 1]:
                self._words.append("")  # a sentence or line break ends the alert context
        if pos < len(text):
            spans.append(Span("text", text[pos:]))
        return [s for s in spans if s.text]


def _mark_at(word: str) -> int:
    """Where in a word the mark goes: after the name and its brackets, before the sentence punctuation."""
    end = len(word)
    while end and word[end - 1] in ".,;:!?…":
        end -= 1
    return end


def check_text(text: str, known: Known) -> tuple[list[Span], list[str]]:
    """A whole answer at once: (spans, the names not found)."""
    sc = StreamCheck(known)
    spans = sc.feed(text) + sc.finish()
    return _merge(spans), sc.flagged


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in spans:
        if out and out[-1].kind == s.kind:
            out[-1] = Span(s.kind, out[-1].text + s.text)
        else:
            out.append(s)
    return out


def marked(text: str, known: Known) -> str:
    """The answer with its marks inline, as `cockpit ask` prints it."""
    return "".join(s.text for s in check_text(text, known)[0])


def count_text(flagged: list[str]) -> str:
    n = len(flagged)
    return f"{n} name{'s' * (n != 1)} not on screen ({', '.join(dict.fromkeys(flagged))[:120]})" if n else ""


def iter_names(text: str, known: Known) -> Iterator[str]:
    """Every name the check looks at in a text (for tests and the eval harness)."""
    words: list[str] = []
    for m in re.finditer(r"\S+", text):
        core = _core(m.group())
        yield from names_to_check(core, words[-1] if words else "", set(words[-4:]), known)
        words.append(core.lower())


def as_chunks(spans: list[Span]) -> list[AdvisorChunk]:
    """Spans as advisor chunks: text stays text, a mark is its own `mark` chunk (dimmed in the panel)."""
    return [AdvisorChunk("text" if s.kind == "text" else "mark", s.text) for s in spans]
