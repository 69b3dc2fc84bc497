"""Start and stop a JupyterLab server for the lab and browser tests.

The server is this Python's own ``jupyter lab``, on a free localhost port with a
random token, with its runtime and workspace folders in a temporary directory
(so no saved layout from a person's own JupyterLab reopens other notebooks).
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    base: str
    token: str
    process: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def get_status(url: str, timeout: float = 5) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


@contextmanager
def lab_server(root_dir: Path, *, expose_app: bool = False, ready_within: float = 60) -> Iterator[LabServer]:
    """Run ``jupyter lab`` on ``root_dir`` until the block ends; wait until /lab answers 200."""
    port = free_port()
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="equitykit-lab-") as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
        env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp_path / "settings")
        # No "get Jupyter news?" pop-up over the notebook, and no request for the news feed.
        notification = tmp_path / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True)
        notification.write_text('{"fetchNews": "false", "checkForUpdates": false}')
        cmd = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # containers and CI often run as root
        if expose_app:
            cmd.append("--LabApp.expose_app_in_browser=True")
        log = tmp_path / "lab.log"
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                cmd, cwd=root_dir, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
            )
        server = LabServer(f"http://127.0.0.1:{port}", token, process, log)
        try:
            deadline = time.monotonic() + ready_within
            while True:
                status = get_status(server.url("/lab"))
                if status == 200:
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"jupyter lab exited with code {process.returncode}:\n{server.log_tail()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"jupyter lab did not answer 200 on /lab within {ready_within:.0f} s "
                                       f"(last status {status}):\n{server.log_tail()}")
                time.sleep(0.5)
            yield server
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Stop the server we started (and the kernels it started, in its own process group)."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # jupyter asks to confirm on one SIGINT; two shut it down
        time.sleep(0.2)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
    try:  # kernels left behind in the server's own process group
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
