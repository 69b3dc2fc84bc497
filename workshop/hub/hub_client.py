"""A participant's side of the workshop hub, driven from Python: used by the tests and the load test.

Signs in through the hub's web form, then uses the hub's REST API (start and stop the server)
and the participant's own Jupyter server API (files, kernels over their websocket channels),
exactly as a browser would. Everything goes through the hub's one public address.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

import requests
import websocket

__all__ = ["CellRun", "Participant", "SignInRefused", "sign_in"]

TIMEOUT = 60  # seconds for any one HTTP request


class SignInRefused(Exception):
    """The hub refused the sign-in; ``status`` is the HTTP status, ``text`` the page it showed."""

    def __init__(self, status: int, text: str):
        super().__init__(f"sign-in refused ({status})")
        self.status = status
        self.text = text


@dataclass(frozen=True)
class CellRun:
    """One cell run in a kernel: seconds from request to reply, its status, what it printed."""

    seconds: float
    status: str
    stdout: str
    error: str


def sign_in(hub_url: str, name: str, code: str) -> Participant:
    """Sign in through the hub's login form; return the signed-in participant (or raise SignInRefused)."""
    session = requests.Session()
    session.get(f"{hub_url}/hub/login", timeout=TIMEOUT).raise_for_status()
    xsrf = session.cookies.get("_xsrf")
    response = session.post(f"{hub_url}/hub/login", timeout=TIMEOUT, allow_redirects=False,
                            data={"_xsrf": xsrf, "username": name, "password": code})
    if response.status_code != 302:
        raise SignInRefused(response.status_code, response.text)
    # Signing in sets a new XSRF cookie for /hub/; the API wants that one with a cookie-authenticated POST.
    xsrf = next(c.value for c in reversed(list(session.cookies)) if c.name == "_xsrf")
    user = session.get(f"{hub_url}/hub/api/user", timeout=TIMEOUT, headers={"X-XSRFToken": xsrf})
    user.raise_for_status()
    username = user.json()["name"]
    token = session.post(f"{hub_url}/hub/api/users/{username}/tokens", timeout=TIMEOUT,
                         headers={"X-XSRFToken": xsrf}, json={"note": "hub_client", "expires_in": 7200})
    token.raise_for_status()
    return Participant(hub_url, username, token.json()["token"])


@dataclass
class Participant:
    """A signed-in hub user with an API token; ``username`` is their system user (``ek-<name>``)."""

    hub_url: str
    username: str
    token: str
    http: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self):
        self.http.headers["Authorization"] = f"token {self.token}"

    def hub_api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to the hub's REST API (``/hub/api/...``) as this participant."""
        return self.http.request(method, f"{self.hub_url}/hub/api/{path}", timeout=TIMEOUT, **kwargs)

    def server_api(self, method: str, path: str, user: str | None = None, **kwargs) -> requests.Response:
        """A request to a Jupyter server's API (``/user/<user>/api/...``), by default this participant's."""
        return self.http.request(method, f"{self.hub_url}/user/{user or self.username}/api/{path}",
                                 timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def start_server(self, timeout: float = 240) -> None:
        """Ask the hub to start this participant's server and wait until it is ready."""
        response = self.hub_api("POST", f"users/{self.username}/server")
        if response.status_code not in (201, 202, 400):  # 400: already running
            response.raise_for_status()
        self._wait(lambda server: server is not None and server.get("ready"), timeout, "start")

    def stop_server(self, timeout: float = 120) -> None:
        """Ask the hub to stop this participant's server and wait until it has stopped."""
        response = self.hub_api("DELETE", f"users/{self.username}/server")
        if response.status_code not in (202, 204, 400):
            response.raise_for_status()
        self._wait(lambda server: server is None, timeout, "stop")

    def _wait(self, done, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = self.hub_api("GET", f"users/{self.username}")
            user.raise_for_status()
            if done(user.json().get("servers", {}).get("")):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{self.username}'s server did not {what} within {timeout:.0f} s")

    def read_file(self, path: str, user: str | None = None) -> requests.Response:
        """GET a file through the contents API (a response, so callers can check refusals)."""
        return self.server_api("GET", f"contents/{path}?content=1", user=user)

    def save_notebook(self, path: str, notebook: dict) -> None:
        """Save a notebook (nbformat JSON dict) through the contents API, as JupyterLab does."""
        response = self.server_api("PUT", f"contents/{path}", json={"type": "notebook", "format": "json",
                                                                      "content": notebook})
        response.raise_for_status()

    def kernel(self, notebook_path: str = "") -> Kernel:
        """Start a kernel for ``notebook_path`` (its folder is the kernel's working folder)."""
        response = self.server_api("POST", "sessions", json={
            "path": notebook_path or f"untitled-{uuid.uuid4().hex[:8]}.ipynb", "type": "notebook",
            "name": "", "kernel": {"name": "python3"}})
        response.raise_for_status()
        session = response.json()
        return Kernel(self, session["id"], session["kernel"]["id"])


class Kernel:
    """A kernel in the participant's server, driven over its websocket channels."""

    def __init__(self, owner: Participant, session_id: str, kernel_id: str):
        self.owner = owner
        self.session_id = session_id
        self.kernel_id = kernel_id
        ws_url = owner.hub_url.replace("http", "ws", 1)
        self.ws = websocket.create_connection(
            f"{ws_url}/user/{owner.username}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}",
            header=[f"Authorization: token {owner.token}"], timeout=TIMEOUT)

    def run(self, code: str, timeout: float = 600) -> CellRun:
        """Execute ``code``; return when the kernel replied and went idle."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": self.owner.username,
                       "session": self.session_id, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        started = time.monotonic()
        status, stdout, error, idle = None, [], "", False
        while status is None or not idle:
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                raise TimeoutError(f"a cell ran for more than {timeout:.0f} s")
            self.ws.settimeout(left)  # a long cell sends nothing for a while: wait as long as it may run
            message = json.loads(self.ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return CellRun(time.monotonic() - started, status, "".join(stdout), error)

    def close(self) -> None:
        """Close the channels and shut the kernel down."""
        self.ws.close()
        self.owner.server_api("DELETE", f"sessions/{self.session_id}")

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
