"""`links:` templates: values URL-encoded, holes and non-http(s) give no link."""

from cockpit.analysis.links import fill, links, pod_values
from cockpit.model import Pod


def test_values_are_url_encoded():
    url = fill("https://grafana.example/d/pods?var-namespace={namespace}&var-pod={pod}",
               {"namespace": "shop", "pod": "a/../b?x=1#frag &y"})
    assert url == "https://grafana.example/d/pods?var-namespace=shop&var-pod=a%2F..%2Fb%3Fx%3D1%23frag%20%26y"


def test_a_value_cannot_change_the_host_or_scheme():
    assert fill("https://{host}/x", {"host": "evil.example/@"}) == "https://evil.example%2F%40/x"
    assert fill("{scheme}://grafana.example/", {"scheme": "javascript"}) is None


def test_missing_placeholder_or_bad_template_gives_no_link():
    assert fill("https://g.example/?pod={pod}&svc={service}", {"pod": "p"}) is None
    assert fill("https://g.example/?pod={pod", {"pod": "p"}) is None
    assert fill("https://g.example/?pod={pod.attr}", {"pod": "p"}) is None
    assert fill("javascript:alert({pod})", {"pod": "p"}) is None
    assert fill("http:///nohost?{pod}", {"pod": "p"}) is None


def test_pod_values_and_several_templates():
    p = Pod(namespace="shop", name="cart-1", phase="Running", node="node-a", labels={"app": "cart"})
    got = links(["https://g.example/?ns={namespace}&pod={pod}&app={app}", "https://logs.example/?q={missing}"],
                pod_values(p))
    assert got == ["https://g.example/?ns=shop&pod=cart-1&app=cart"]
