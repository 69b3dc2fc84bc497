"""Start the workshop hub on this machine: ``make hub`` runs this file.

Prints the address, the workshop code and the facilitator's sign-in, then runs until Ctrl-C.
Codes come from ``EQUITYKIT_HUB_CODE`` / ``EQUITYKIT_HUB_FACILITATOR_CODE`` or are made up at
random. The tests and ``benchmarks/hub_load.py`` use the ``Hub`` class to start and stop a hub.

Example
-------
>>> len(make_code()), make_code() != make_code()
(9, True)
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from equitykit_hub import blocked_paths, check_codes  # noqa: E402

__all__ = ["Hub", "close_paths", "free_port", "make_code", "open_paths_for_participants"]

# No 0/o, 1/l/i: a code read out in a room or copied from a slide is typed right first time.
CODE_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def make_code() -> str:
    """A random code like ``qi-7kx4mp``: easy to read aloud, hard to guess (31**6, about 10**9)."""
    return "qi-" + "".join(secrets.choice(CODE_LETTERS) for _ in range(6))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def participant_paths() -> list[Path]:
    """What a participant's server must reach: Python, its standard library, this environment, equitykit."""
    import equitykit

    package = Path(equitykit.__file__).parent
    # An editable install (a clone's) reads the course from the repository's data/ and notebooks/.
    paths = [Path(sys.executable), Path(sysconfig.get_paths()["stdlib"]), Path(sys.prefix), package,
             package.parent / "data", package.parent / "notebooks"]
    return [p for p in paths if p.exists()]


#: Which hubs on this machine hold folders open, and those folders' modes before the first opened them.
OPENED = Path("/run/equitykit-hub-opened.json")


def open_paths_for_participants(holder: str, paths: list[Path] | None = None) -> list[tuple[Path, int]]:
    """Let other users pass through (not list) the folders that block participants' servers.

    Adds ``o+x`` only, to each blocked folder (typically ``/root`` when Python lives under
    ``/root/.pyenv``), and records ``holder`` (``"<pid>-<anything>"``) in ``OPENED`` so that
    several hubs on one machine (a test run next to ``make hub``) never close a folder under
    another. Returns the ``(folder, old mode)`` pairs this call changed.
    """
    with _opened_record() as record:
        record["holders"].append(holder)
        changed = []
        for folder in blocked_paths(paths or participant_paths()):
            mode = folder.stat().st_mode & 0o7777
            record["modes"].setdefault(str(folder), mode)
            os.chmod(folder, mode | 0o001)
            changed.append((folder, mode))
        return changed


def close_paths(holder: str) -> None:
    """Forget ``holder``; when no live hub holds folders open any more, put their modes back."""
    with _opened_record() as record:
        record["holders"] = [h for h in record["holders"] if h != holder and _alive(h)]
        if not record["holders"]:
            for folder, mode in record["modes"].items():
                if Path(folder).exists():
                    os.chmod(folder, mode)
            record["modes"] = {}


@contextlib.contextmanager
def _opened_record():
    """The OPENED record, read and written under an exclusive lock."""
    with open(OPENED.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = json.loads(OPENED.read_text()) if OPENED.exists() else {"holders": [], "modes": {}}
        yield record
        OPENED.write_text(json.dumps(record))


def _alive(holder: str) -> bool:
    try:
        os.kill(int(holder.split("-")[0]), 0)
    except (ValueError, ProcessLookupError):
        return False
    return True


def check_participant_can_run() -> None:
    """Run this Python as ``nobody`` and import what a participant's server needs; explain any failure."""
    result = subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-c", "import equitykit, jupyterhub, jupyterlab"],
        capture_output=True, text=True, timeout=120, cwd="/",
    )
    if result.returncode:
        raise RuntimeError(
            "Participants' servers could not run this Python environment as another user:\n"
            f"{result.stderr.strip()[-800:]}\n"
            "Install the hub where every user can read it (e.g. a virtual environment under /opt made from "
            "the system's python3), or let others pass through the folders named above (chmod o+x)."
        )


class Hub:
    """A workshop hub started as a child process on 127.0.0.1; a context manager that stops it.

    Parameters
    ----------
    state : folder for the hub's database, cookie secret and log (``hub.log``)
    code, facilitator_code : the codes (random if not given)
    port : where the hub listens (a free port if 0)
    idle_minutes : idle servers are stopped after this long
    """

    def __init__(self, state: Path, *, code: str | None = None, facilitator: str = "facilitator",
                 facilitator_code: str | None = None, ip: str = "127.0.0.1", port: int = 0,
                 idle_minutes: float = 30, home_base: str = "/home"):
        self.state = Path(state)
        self.code = code or make_code()
        self.facilitator = facilitator
        self.facilitator_code = facilitator_code or make_code()
        self.ip = ip
        self.port = port or free_port()
        self.idle_minutes = idle_minutes
        self.home_base = home_base
        self.process: subprocess.Popen | None = None
        self._changed: list[tuple[Path, int]] = []
        self._holder = f"{os.getpid()}-{secrets.token_hex(4)}"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.ip in ("", "0.0.0.0") else self.ip
        return f"http://{host}:{self.port}"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "EQUITYKIT_HUB_CODE": self.code,
            "EQUITYKIT_HUB_FACILITATOR": self.facilitator,
            "EQUITYKIT_HUB_FACILITATOR_CODE": self.facilitator_code,
            "EQUITYKIT_HUB_IP": self.ip,
            "EQUITYKIT_HUB_PORT": str(self.port),
            "EQUITYKIT_HUB_STATE": str(self.state),
            "EQUITYKIT_HUB_IDLE_MINUTES": str(self.idle_minutes),
            "EQUITYKIT_HUB_HOME_BASE": self.home_base,
        })
        return env

    def command(self) -> list[str]:
        return [sys.executable, "-m", "jupyterhub", "-f", str(HERE / "jupyterhub_config.py"),
                f"--JupyterHub.hub_port={free_port()}",
                f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"]

    def start(self, *, log=None, timeout: float = 90) -> Hub:
        """Start the hub and wait until its API answers; raise with the log's tail if it does not."""
        if os.geteuid() != 0:
            raise PermissionError("The workshop hub creates a system user per participant: run it as root.")
        proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
        if not proxy.exists():
            raise FileNotFoundError(f"{proxy} is missing: run `make hub-deps` (npm ci --prefix workshop/hub).")
        check_codes(self.code, self.facilitator_code)
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._changed = open_paths_for_participants(self._holder)
        check_participant_can_run()
        self._log = log or open(self.state / "hub.log", "ab")
        self.process = subprocess.Popen(self.command(), env=self.environment(), stdout=self._log,
                                        stderr=subprocess.STDOUT, cwd=self.state, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The hub stopped at start (exit {self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"The hub did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        path = self.state / "hub.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self, timeout: float = 60) -> None:
        """Stop the hub; it stops every participant's server and the proxy on its way out."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._stop_leftover_proxy()
        close_paths(self._holder)
        self._changed = []

    def _stop_leftover_proxy(self) -> None:
        pid_file = self.state / "jupyterhub-proxy.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
            pid_file.unlink(missing_ok=True)

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _stop_on_signal(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start the equitykit workshop hub (Ctrl-C stops it).")
    parser.add_argument("--ip", default=os.environ.get("EQUITYKIT_HUB_IP", "127.0.0.1"),
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=os.environ.get("EQUITYKIT_HUB_PORT"),
                        help="port to listen on (default 8000, or a free one if 8000 is taken)")
    parser.add_argument("--state", default=os.environ.get("EQUITYKIT_HUB_STATE", str(REPO / "build" / "hub")),
                        help="folder for the hub's database, cookie secret and log (default build/hub)")
    args = parser.parse_args(argv)
    port = int(args.port or 8000)
    if _listening(port):
        if args.port:  # a port you chose (a reverse proxy points at it): say so rather than move
            print(f"make hub: something already listens on port {port}; stop it or choose another "
                  "(EQUITYKIT_HUB_PORT).", file=sys.stderr)
            return 1
        port = free_port()
    hub = Hub(Path(args.state), code=os.environ.get("EQUITYKIT_HUB_CODE"),
              facilitator=os.environ.get("EQUITYKIT_HUB_FACILITATOR", "facilitator"),
              facilitator_code=os.environ.get("EQUITYKIT_HUB_FACILITATOR_CODE"), ip=args.ip, port=port,
              idle_minutes=float(os.environ.get("EQUITYKIT_HUB_IDLE_MINUTES", "30")))
    signal.signal(signal.SIGTERM, _stop_on_signal)  # `kill` and `timeout` stop the hub cleanly too
    print("Starting the workshop hub ...", flush=True)
    try:
        hub.start()
        _print_welcome(hub)
        hub.process.wait()
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"make hub: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Stopping the hub (participants' files stay in their home folders) ...", flush=True)
    finally:
        hub.stop()
    return 0


def _print_welcome(hub: Hub) -> None:
    for folder, mode in hub._changed:
        print(f"note: let other users pass through {folder} (was {mode:o}, now {mode | 1:o}) so participants' "
              "servers can run Python; put back when the last hub on this machine stops.")
    print(f"""
  Workshop hub: {hub.url}
  Workshop code (give to participants): {hub.code}
  Facilitator sign-in: name {hub.facilitator}, code {hub.facilitator_code}
  Listening on {hub.ip} only; for a real server see workshop/hub/README.md.
  Hub log: {hub.state / 'hub.log'}. Ctrl-C stops the hub.
""", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
