"""Kubeconfig exec credential plugins, run with a time limit in their own process group.

The kubernetes client runs a plugin with `communicate()` and no timeout, interactively (the
terminal's stdin and stderr) when stdout is a tty: a plugin that hangs, or waits for a login that
never comes, holds its caller forever and writes over the screen. cockpit replaces the client's
ExecProvider with this one: never interactive, killed with its whole process group after
`timeout_s` and when cockpit exits, its failure kept for the one-line error.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import signal
import subprocess
import threading
from typing import Any

DEFAULT_TIMEOUT_S = 60.0  # a browser SSO round trip fits; a hung plugin shows within a minute
_state = {"timeout_s": DEFAULT_TIMEOUT_S}
_running: dict[int, tuple[subprocess.Popen[str], str]] = {}  # pid -> (process, owner context)
_running_lock = threading.Lock()
_local = threading.local()  # .owner: the context loading credentials; .error: its plugin's failure


class ExecPluginError(Exception):
    """The plugin timed out, failed or answered nonsense; the message says which, in one line."""


def set_timeout(seconds: float) -> None:
    _state["timeout_s"] = float(seconds)


def timeout_s() -> float:
    return _state["timeout_s"]


def begin(owner: str) -> None:
    """This thread is about to load credentials for context `owner`."""
    _local.owner, _local.error = owner, None


def last_error() -> str | None:
    """The plugin failure seen by this thread since begin() (the client only logs it)."""
    return getattr(_local, "error", None)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)  # start_new_session: the group id is the plugin's pid
        except (ProcessLookupError, PermissionError):
            return
        if sig == signal.SIGTERM:
            try:
                proc.wait(1.0)
            except subprocess.TimeoutExpired:
                continue
            # The leader is gone; children it left in the group get the SIGKILL all the same.


def kill_running(owner: str | None = None) -> int:
    """Kill every running plugin (of `owner`, or all); returns how many. Safe from any thread."""
    with _running_lock:
        victims = [p for p, who in _running.values() if owner is None or who in (owner, "")]
    for proc in victims:
        proc.cockpit_stopped = True  # type: ignore[attr-defined]
        _kill_group(proc)
    return len(victims)


atexit.register(kill_running)


def run_plugin(args: list[str], env: dict[str, str], cwd: str | None) -> str:
    """Run the plugin; its stdout on success, else ExecPluginError."""
    command = os.path.basename(str(args[0]))
    limit = timeout_s()
    try:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=cwd, env=env, text=True, start_new_session=True)
    except OSError as exc:
        raise ExecPluginError(f"exec plugin '{command}' cannot run: {exc.strerror or exc}") from None
    with _running_lock:
        _running[proc.pid] = (proc, getattr(_local, "owner", ""))
    try:
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            _drain(proc)
            raise ExecPluginError(f"exec plugin '{command}' gave no credentials within {limit:g}s and was "
                                  "stopped (kube_exec_timeout_s in the config); run it by hand to log in") from None
    finally:
        with _running_lock:
            _running.pop(proc.pid, None)
    if getattr(proc, "cockpit_stopped", False):
        raise ExecPluginError(f"exec plugin '{command}' was stopped: cockpit is exiting")
    if proc.returncode != 0:
        last = (err or "").strip().splitlines()[-1:] or [""]
        detail = f": {' '.join(last[0].split())[:200]}" if last[0] else ""
        raise ExecPluginError(f"exec plugin '{command}' failed (exit {proc.returncode}){detail}; "
                              "log in by hand (any kubectl command runs it), cockpit retries")
    return out


def _drain(proc: subprocess.Popen[str]) -> None:
    """Reap the killed plugin; a grandchild that left the group may hold the pipes: don't wait on it."""
    try:
        proc.communicate(timeout=2)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def _not_ours_again(record: logging.LogRecord) -> bool:
    """The client logs a plugin failure on the root logger (stderr under `cockpit check`); cockpit
    reports that failure itself, in its own line, so the client's copy is dropped."""
    return getattr(_local, "error", None) is None or record.getMessage() != _local.error


def install() -> None:
    """Make the kubernetes client run plugins through run_plugin (idempotent)."""
    from kubernetes.config import kube_config
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.exec_provider import ExecProvider

    if getattr(kube_config.ExecProvider, "cockpit_bounded", False):
        return

    class BoundedExecProvider(ExecProvider):
        cockpit_bounded = True

        def run(self, previous_response: Any = None) -> Any:
            try:
                return parse_status(self.api_version, run_plugin(self.args, self._env(previous_response), self.cwd))
            except ExecPluginError as exc:
                _local.error = str(exc)
                raise ConfigException(str(exc)) from None

        def _env(self, previous_response: Any) -> dict[str, str]:
            spec: dict[str, Any] = {"interactive": False}  # the screen is ours: no prompts, no stdin
            if previous_response:
                spec["response"] = previous_response
            if self.cluster:
                spec["cluster"] = dict(self.cluster.value)
                for ext in self.cluster.value.get("extensions") or ():
                    if ext.get("name") == "client.authentication.k8s.io/exec":
                        spec["cluster"]["config"] = ext.get("extension")
                        break
            info = {"apiVersion": self.api_version, "kind": "ExecCredential", "spec": spec}
            return {**self.env, "KUBERNETES_EXEC_INFO": json.dumps(info)}

    kube_config.ExecProvider = BoundedExecProvider  # type: ignore[misc]
    logging.getLogger().addFilter(_not_ours_again)


def parse_status(api_version: str, stdout: str) -> Any:
    """The ExecCredential's status, checked like the client does."""
    try:
        data = json.loads(stdout)
    except ValueError as exc:
        raise ExecPluginError(f"exec plugin printed no ExecCredential JSON: {exc}") from None
    if not isinstance(data, dict) or any(k not in data for k in ("apiVersion", "kind", "status")):
        raise ExecPluginError("exec plugin's answer lacks apiVersion, kind or status")
    if data["apiVersion"] != api_version:
        raise ExecPluginError(f"exec plugin answered apiVersion {data['apiVersion']}, not {api_version}")
    return data["status"]
