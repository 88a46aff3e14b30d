"""What changed, parsed from the objects cockpit lists: templates, ConfigMap writes, events.k8s.io events."""

from __future__ import annotations

from cockpit.analysis.changes import image_diff, template_diff
from cockpit.sources.kube_changes import (
    config_refs,
    configmap_change,
    events_v1,
    light_controller_revision,
    light_replicaset,
    merge_events,
    newest_revisions,
    template_parts,
)
from tests.fakekube import fixtures as fx
from tests.fakekube import scenarios as sc
from tests.fakekube.server import event_v1


def test_template_parts_name_what_a_diff_shows() -> None:
    old = sc.template("api", "api:1.0", configmap="api-config")
    new = sc.template("api", "api:1.1", configmap="api-config")
    new["spec"]["containers"][0]["env"] = [{"name": "HEAP", "value": "75%"}]
    (_, before), (images, after) = template_parts(old), template_parts(new)
    assert images == (("app", "api:1.1"),) and after["configmaps"] == "api-config"
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert changed == ["env of app", "image of app"]


def test_config_refs_cover_volumes_projected_env_from_and_key_refs() -> None:
    spec = {"volumes": [{"name": "a", "configMap": {"name": "one"}},
                        {"name": "b", "projected": {"sources": [{"configMap": {"name": "two"}}]}},
                        {"name": "s", "secret": {"secretName": "never-listed"}}],
            "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "three"}}],
                            "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "four", "key": "k"}}}]}]}
    assert config_refs(spec) == ["four", "one", "three", "two"]


def test_newest_two_revisions_per_workload_and_their_diff() -> None:
    rss = [sc.replicaset("shop", "api", h, f"api:{v}", rev, ago, 1, 1)
           for h, v, rev, ago in (("a1", "1.0", 1, 9e5), ("b2", "1.1", 2, 5e5), ("c3", "1.2", 3, 600))]
    light = [r for r in (light_replicaset(o, "ctx") for o in rss) if r]
    revs = newest_revisions(light)
    assert [r.revision for r in revs] == [2, 3] and revs[1].hash == "c3"
    assert image_diff(revs[0], revs[1]) == ("api:1.1", "api:1.2") and template_diff(revs[0], revs[1]) == []
    orphan = sc.replicaset("shop", "api", "d4", "api:2", 4, 60, 1, 1)
    orphan["metadata"]["ownerReferences"] = []
    assert light_replicaset(orphan, "ctx") is None  # a bare ReplicaSet is no Deployment's rollout
    cr = light_controller_revision(sc.controller_revision("pay", "ledger", "ledger-86c9d7", 2, "l:5.1", 60), "ctx")
    assert cr is not None and cr[0].owner_kind == "StatefulSet" and cr[0].hash == "ledger-86c9d7"


def test_configmap_change_is_the_last_data_write_not_a_label_edit() -> None:
    cm = sc.configmap("shop", "cfg", {"a": "b"}, edited_ago=300, manager="helm")
    cm["metadata"]["managedFields"].append({"manager": "kubectl-label", "operation": "Update", "apiVersion": "v1",
                                            "time": sc.iso(60), "fieldsType": "FieldsV1",
                                            "fieldsV1": {"f:metadata": {"f:labels": {}}}})
    change = configmap_change(cm, "ctx")
    assert change is not None and change.subject == "configmap shop/cfg" and "by helm" in change.summary
    assert change.at.strftime("%H:%M") == sc.iso(300)[11:16]
    untouched = {"metadata": {"name": "x", "namespace": "shop", "creationTimestamp": sc.iso(9e5)}}
    assert configmap_change(untouched, "ctx") is None


def test_events_v1_read_as_the_core_event_they_are_and_merge_once() -> None:
    core = fx.event("shop", "e.1", ("Pod", "api-1"), "Warning", "BackOff", "back-off", 7)
    ev = events_v1(event_v1({"kind": "Event", **core}), "ctx")
    assert (ev.involved_kind, ev.involved_name, ev.reason, ev.message, ev.count) == ("Pod", "api-1", "BackOff",
                                                                                    "back-off", 7)
    assert merge_events([ev], [ev]) == [ev]
    series = events_v1(event_v1(fx.event("shop", "e.2", ("Pod", "api-2"), "Warning", "FailedScheduling", "0/3",
                                         None, legacy=False)), "ctx")
    assert series.count == 42 and series.last_seen is not None
