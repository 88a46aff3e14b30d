"""`cockpit serve` driven by a real browser (Debian's chromium through chromedriver and Selenium).

The page's terminal draws on a canvas, so the test also records what the page's websocket receives
(a wrapper installed before the page's own scripts) and rebuilds the screen from those bytes with pyte:
that is exactly what xterm.js drew. Asserted: the demo's panes render, keys typed in the page reach the
app, a silence is refused in read-only, a request without the token gets 401 (no terminal) off
loopback, a session beyond the cap is refused politely, and stopping the server leaves no app process.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyte
import pytest

ROOT = Path(__file__).parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI: chromium and chromium-driver must be installed (.ci/run installs them)", pytrace=False)
    pytest.skip("chromium and chromium-driver are not installed here (apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

TOKEN = "t0k3n-for-the-browser-test-5b1c"
# Record every frame the page's websocket receives, in order (binary frames are the terminal stream).
RECORDER = r"""
(() => {
  const Orig = window.WebSocket;
  window.__rx = [];
  const b64 = (buf) => { const a = new Uint8Array(buf); let s = "";
    for (let i = 0; i < a.length; i += 8192) s += String.fromCharCode.apply(null, a.subarray(i, i + 8192));
    return btoa(s); };
  function Recording(url, protocols) {
    const ws = protocols === undefined ? new Orig(url) : new Orig(url, protocols);
    ws.addEventListener("message", (ev) => {
      const slot = window.__rx.length; window.__rx.push("");
      if (ev.data instanceof ArrayBuffer) window.__rx[slot] = b64(ev.data);
      else if (ev.data instanceof Blob) ev.data.arrayBuffer().then((b) => { window.__rx[slot] = b64(b); });
    });
    return ws;
  }
  Recording.prototype = Orig.prototype;
  for (const k of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Recording[k] = Orig[k];
  window.WebSocket = Recording;
})();
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


class Served:
    """`python -m cockpit serve ...` as a subprocess; its start line gives the address."""

    def __init__(self, *flags: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKPIT_", "ANTHROPIC_"))}
        env["HOME"] = tempfile.mkdtemp(prefix="cockpit-serve-home-")  # its own journal and audit log
        self.proc = subprocess.Popen([sys.executable, "-m", "cockpit", "serve", "--demo", *flags], cwd=ROOT,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.start_lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.start_lines.append(line)
            if line.startswith("serving on "):
                self.url = line.split()[2]
                return
        raise AssertionError(f"no start line: {self.start_lines} {self.proc.stderr.read() if self.proc.stderr else ''}")

    def app_processes(self) -> list[int]:
        """The session processes (children running `-m cockpit`) of this server."""
        pids = []
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
                cmd = (d / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if int(stat[1]) == self.proc.pid and b"cockpit" in cmd:
                pids.append(int(d.name))
        return pids

    def stop(self, sig: int = signal.SIGTERM) -> tuple[str, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return out, err


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    try:
        yield driver
    finally:
        driver.quit()


def screen_text(driver: webdriver.Chrome) -> str:
    frames = driver.execute_script("return window.__rx || []")
    screen = pyte.Screen(240, 80)
    stream = pyte.ByteStream(screen)
    for f in frames:
        stream.feed(base64.b64decode(f))
    return "\n".join(screen.display)


def wait_screen(driver: webdriver.Chrome, pattern: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen_text(driver)
        if re.search(pattern, text, re.S):
            return text
        time.sleep(0.4)
    raise AssertionError(f"{pattern!r} not on the page's terminal:\n{text}")


def type_keys(driver: webdriver.Chrome, keys: str) -> None:
    box = driver.find_element("css selector", ".xterm-helper-textarea")
    box.send_keys(keys)


def test_loopback_read_only_session_in_a_browser(browser: webdriver.Chrome) -> None:
    served = Served("--port", str(free_port()), "--max-sessions", "1")
    try:
        assert re.fullmatch(r"serving on http://127\.0\.0\.1:\d+ \(read-only\)\n", served.start_lines[-1])
        browser.get(served.url + "/")
        text = wait_screen(browser, r"Pods \d+")
        for pane in ("Alerts", "Pods", "SLOs", "Marcus"):
            assert pane in text, text
        assert "READONLY" in text
        assert browser.find_elements("css selector", ".xterm canvas")  # xterm.js drew it

        # one session is the cap: a second page is refused politely, with no terminal
        second = httpx.get(served.url + "/", timeout=10)
        assert second.status_code == 503 and "sessions are in use" in second.text

        type_keys(browser, "?")  # keys typed in the page reach the app
        wait_screen(browser, r"(?i)silence the selected alert|keys")
        type_keys(browser, "\ue00c")  # escape
        time.sleep(1)
        type_keys(browser, "1")
        time.sleep(0.5)
        type_keys(browser, "s")
        wait_screen(browser, r"read-only: cockpit was started.{0,400}refused")
        browser.save_screenshot(str(Path(os.environ.get("TMPDIR", "/tmp")) / "cockpit-served.png"))

        sessions = served.app_processes()
        assert len(sessions) == 1
        # the session's own cockpit: read-only, told its remote address for the audit log
        assert b"--readonly" in Path(f"/proc/{sessions[0]}/cmdline").read_bytes().split(b"\0")
        assert b"COCKPIT_SESSION=web 127.0.0.1" in Path(f"/proc/{sessions[0]}/environ").read_bytes().split(b"\0")
    finally:
        out, err = served.stop(signal.SIGTERM)
    assert served.proc.returncode == 0, err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(running(p) for p in sessions):
        time.sleep(0.2)
    alive = [p for p in sessions if running(p)]
    assert not alive, f"app processes left behind: {alive}"


def test_off_loopback_needs_the_token(browser: webdriver.Chrome) -> None:
    port = free_port()
    served = Served("--host", "0.0.0.0", "--port", str(port), "--token", TOKEN)
    try:
        base = f"http://127.0.0.1:{port}"
        # without the token: 401 and no terminal, for the page, the websocket and the static files
        for path in ("/", "/ws", "/static/js/textual.js", "/?token=wrong"):
            r = httpx.get(base + path, timeout=10, follow_redirects=False)
            assert r.status_code == 401, (path, r.status_code)
            assert "textual-terminal" not in r.text
        browser.delete_all_cookies()
        browser.get(base + "/")
        assert "401" in browser.find_element("tag name", "body").text
        assert not browser.find_elements("css selector", ".xterm")

        # with it: moved into a cookie and off the address bar, never in the page
        browser.get(f"{base}/?token={TOKEN}")
        text = wait_screen(browser, r"Alerts \d+")
        assert "Marcus" in text
        assert TOKEN not in browser.current_url and TOKEN not in browser.page_source
        assert TOKEN not in text
        assert httpx.get(base + "/", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).status_code == 200
    finally:
        out, err = served.stop(signal.SIGINT)
    assert TOKEN not in err and TOKEN not in out, "the token reached the server's output"
    assert served.proc.returncode == 0


def test_actions_allowed_records_the_session_in_the_audit_line(tmp_path: Path) -> None:
    from cockpit.audit import AuditLog

    os.environ["COCKPIT_SESSION"] = "web 203.0.113.7"
    try:
        log = AuditLog(tmp_path / "audit.jsonl", user="alice@jump")
        log.begin("silence", {"matchers": "alertname=X"})
    finally:
        del os.environ["COCKPIT_SESSION"]
    line = (tmp_path / "audit.jsonl").read_text()
    assert '"session": "web 203.0.113.7"' in line and '"who": "alice@jump"' in line


def test_session_command_line_is_read_only_unless_allowed() -> None:
    from cockpit.ui.serve import session_argv

    argv = ["serve", "--demo", "--host", "0.0.0.0", "--port=9000", "--token", "x", "--layout", "incident"]
    assert session_argv(argv, allow_actions=False) == ["--demo", "--layout", "incident", "--readonly"]
    assert session_argv(argv + ["--allow-actions"], allow_actions=True) == ["--demo", "--layout", "incident"]


def test_allowed_actions_are_audited_with_the_session(browser: webdriver.Chrome, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    config = tmp_path / "config.yaml"
    config.write_text(f"audit_log: {audit}\njournal: {tmp_path / 'journal.sqlite'}\n")
    served = Served("--port", str(free_port()), "--config", str(config), "--allow-actions")
    try:
        assert served.start_lines[-1].rstrip().endswith("(actions allowed)")
        browser.get(served.url + "/")
        wait_screen(browser, r"Pods \d+")
        type_keys(browser, "1")
        time.sleep(0.5)
        type_keys(browser, "s")
        wait_screen(browser, r"Silence")
        time.sleep(0.5)
        type_keys(browser, "\ue007")  # enter confirms
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (audit.exists() and "silence" in audit.read_text()):
            time.sleep(0.3)
        lines = audit.read_text().splitlines()
        assert lines and all('"session": "web 127.0.0.1"' in line for line in lines), lines
    finally:
        served.stop()
    assert served.proc.returncode == 0


def test_a_killed_server_leaves_no_session_behind(browser: webdriver.Chrome) -> None:
    served = Served("--port", str(free_port()))
    try:
        browser.get(served.url + "/")
        wait_screen(browser, r"Pods \d+")
        sessions = served.app_processes()
        assert sessions
    finally:
        served.stop(signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(running(p) for p in sessions):
        time.sleep(0.2)
    alive = [p for p in sessions if running(p)]
    assert not alive, f"sessions outlived a SIGKILLed server: {alive}"
