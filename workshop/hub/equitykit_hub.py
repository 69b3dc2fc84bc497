"""The workshop hub's own pieces: sign-in with a name and a workshop code, one system user per participant.

JupyterHub loads this module from ``jupyterhub_config.py`` (same folder). The pieces:

- ``check_name``: the rules for a name a participant chooses (pure, no side effects);
- ``WorkshopAuthenticator``: signs a participant in with any valid name and the workshop code,
  the facilitator with their name and the facilitator code; creates the participant's system
  user (``ek-<name>``, home folder mode 0700) on first sign-in;
- ``give_notebooks``: a pre-spawn hook that copies the learner notebooks into the participant's
  home on their first start, as that participant, with ``equitykit notebooks DIR``;
- ``blocked_paths``: the folders that stop a participant's server from running Python.

Example
-------
>>> check_name("amina-2", facilitator="facilitator", prefix="ek-")
'ek-amina-2'
"""
from __future__ import annotations

import asyncio
import grp
import hmac
import os
import pwd
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import set_user_setuid
from tornado import web
from traitlets import Bool, Integer, Unicode, default

__all__ = [
    "NameRefused",
    "WorkshopAuthenticator",
    "blocked_paths",
    "check_codes",
    "check_name",
    "create_participant",
    "give_notebooks",
    "is_participant",
    "remove_participant",
]

#: Written in the GECOS field of every user the hub creates; only such users are ever reused or removed.
MARKER = "equitykit workshop hub user"
NAME_RULE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MIN_LENGTH, MAX_LENGTH = 2, 20
NOTEBOOKS_FOLDER = "notebooks"
GUESS_WINDOW = 600  # seconds over which wrong codes are counted


class NameRefused(ValueError):
    """A chosen name breaks a rule; the message says which and what to type instead."""


def check_name(name: str, *, facilitator: str, prefix: str = "ek-") -> str:
    """Check a name a participant chose; return the system user it maps to.

    Rules: 2-20 characters; lowercase letters, digits and single hyphens; starts with a
    letter; not the facilitator's name; not the name of an account on this machine (root,
    daemon, ...), with or without the prefix, unless the hub created it.

    Raises
    ------
    NameRefused
        naming the rule broken and a name that would do.

    Example
    -------
    >>> check_name("Amina Khan", facilitator="facilitator")
    Traceback (most recent call last):
    ...
    equitykit_hub.NameRefused: 'Amina Khan' has capital letters or spaces: use lowercase letters, digits and hyphens, e.g. 'amina-khan'.
    """
    suggestion = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-") or "amina"
    if not name:
        raise NameRefused("Type a name: lowercase letters, digits and hyphens, e.g. 'amina'.")
    if len(name) < MIN_LENGTH or len(name) > MAX_LENGTH:
        raise NameRefused(
            f"{name!r} has {len(name)} characters: use {MIN_LENGTH} to {MAX_LENGTH}, e.g. {suggestion[:MAX_LENGTH]!r}."
        )
    if not NAME_RULE.match(name):
        if name != name.lower() or " " in name:
            problem = "has capital letters or spaces"
        elif name[0].isdigit() or name[0] == "-":
            problem = "does not start with a letter"
            suggestion = "p" + suggestion
        else:
            problem = "has characters other than lowercase letters, digits and single hyphens"
        raise NameRefused(
            f"{name!r} {problem}: use lowercase letters, digits and hyphens, e.g. {suggestion!r}."
        )
    if name == facilitator:
        raise NameRefused(f"{name!r} is the facilitator's name: choose another, e.g. '{name}-2'.")
    if _account_exists(name):
        raise NameRefused(f"{name!r} is the name of an account on this server: choose another, e.g. '{name}-2'.")
    username = prefix + name
    if _account_exists(username) and not is_participant(username):
        raise NameRefused(f"{name!r} is taken on this server: choose another, e.g. '{name}-2'.")
    return username


def _account_exists(username: str) -> bool:
    try:
        pwd.getpwnam(username)
    except KeyError:
        return False
    return True


def is_participant(username: str) -> bool:
    """True if ``username`` is a system user this hub created (its comment carries the marker)."""
    try:
        return pwd.getpwnam(username).pw_gecos == MARKER
    except KeyError:
        return False


def create_participant(username: str, home_base: str = "/home") -> Path:
    """Create the system user ``username`` with a home folder only they can open; return the home.

    Does nothing but return the home if the hub created this user before (work is kept).
    """
    home = Path(home_base) / username
    if not is_participant(username):
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
             "--comment", MARKER, "--user-group", username],
            check=True, capture_output=True, text=True, timeout=60,
        )
    home = Path(pwd.getpwnam(username).pw_dir)
    os.chmod(home, 0o700)
    return home


def remove_participant(username: str) -> None:
    """Stop every process of a participant the hub created, then remove the user and their home.

    Refuses (ValueError) a user the hub did not create.
    """
    import psutil

    if not _account_exists(username):
        return
    if not is_participant(username):
        raise ValueError(f"{username} was not created by the workshop hub; not removing it")
    uid = pwd.getpwnam(username).pw_uid
    procs = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real == uid]
    for proc in procs:
        proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=5)
    for proc in alive:
        proc.kill()
    psutil.wait_procs(alive, timeout=5)
    subprocess.run(["userdel", "--remove", username], check=True, capture_output=True, text=True, timeout=60)
    try:
        grp.getgrnam(username)
    except KeyError:
        return
    subprocess.run(["groupdel", username], check=False, capture_output=True, timeout=60)


def check_codes(workshop_code: str, facilitator_code: str, min_length: int = 6) -> None:
    """Refuse to start with a missing or short code, or a facilitator code equal to the workshop code.

    Example
    -------
    >>> check_codes("qi-4821", "qi-4821")
    Traceback (most recent call last):
    ...
    ValueError: The facilitator code must differ from the workshop code: set EQUITYKIT_HUB_FACILITATOR_CODE to another.
    """
    for label, variable, code in (("workshop code", "EQUITYKIT_HUB_CODE", workshop_code),
                                  ("facilitator code", "EQUITYKIT_HUB_FACILITATOR_CODE", facilitator_code)):
        if len(code) < min_length:
            raise ValueError(
                f"The {label} has {len(code)} characters: set {variable} to one of at least {min_length}, "
                "or start the hub with `make hub`, which makes random ones."
            )
    if workshop_code == facilitator_code:
        raise ValueError(
            "The facilitator code must differ from the workshop code: set EQUITYKIT_HUB_FACILITATOR_CODE to another."
        )


class WorkshopAuthenticator(Authenticator):
    """Sign in with a name of your choosing and the workshop code.

    The facilitator signs in with their own name and the facilitator code and is the only
    admin. A participant's system user is created on their first sign-in.
    """

    workshop_code = Unicode(help="The code the facilitator gives participants.").tag(config=True)
    facilitator = Unicode("facilitator", help="The facilitator's sign-in name.").tag(config=True)
    facilitator_code = Unicode(help="The facilitator's own code (never the workshop code).").tag(config=True)
    user_prefix = Unicode("ek-", help="Put before every chosen name to make the system user.").tag(config=True)
    home_base = Unicode("/home", help="Folder in which participants' home folders are made.").tag(config=True)
    create_system_users = Bool(
        True, help="Make a system user per participant (one server); False where each server is its own "
        "container (Kubernetes, workshop/hub/z2jh-values.yaml).").tag(config=True)
    max_wrong_codes = Integer(
        50, help="Wrong codes one network address may try in 10 minutes before it must wait. A room "
        "behind one NHS address shares it, so this is high; guessing a random code stays hopeless.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._wrong: dict[str, list[float]] = {}  # network address -> times of its wrong codes

    @property
    def facilitator_username(self) -> str:
        return self.user_prefix + self.facilitator

    async def authenticate(self, handler, data):
        name = (data.get("username") or "").strip()
        code = data.get("password") or ""
        address = handler.request.remote_ip if handler is not None else ""
        self._refuse_if_guessing(address)
        if name == self.facilitator:
            return self.facilitator_username if self._right(code, self.facilitator_code, address) else None
        try:
            username = check_name(name, facilitator=self.facilitator, prefix=self.user_prefix)
        except NameRefused as refused:
            raise web.HTTPError(403, str(refused) + " Go back and try again.") from None
        if not self._right(code, self.workshop_code, address):
            self.log.info("Wrong workshop code for %r from %s", name, address)
            return None
        return username

    def _right(self, code: str, expected: str, address: str) -> bool:
        if _same(code, expected):
            return True
        self._wrong.setdefault(address, []).append(time.monotonic())
        return False

    def _refuse_if_guessing(self, address: str) -> None:
        recent = [t for t in self._wrong.get(address, []) if time.monotonic() - t < GUESS_WINDOW]
        self._wrong[address] = recent
        if len(recent) >= self.max_wrong_codes:
            raise web.HTTPError(429, "Too many wrong codes from your network: wait 10 minutes, then check "
                                "the code with your facilitator.")

    @default("allow_all")
    def _allow_all_default(self):
        return True  # the code is the gate: anyone who passed authenticate() may come in

    def normalize_username(self, username):
        return username

    async def add_user(self, user):
        if self.create_system_users and user.name.startswith(self.user_prefix):
            await asyncio.to_thread(create_participant, user.name, self.home_base)
        super().add_user(user)


def _same(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


async def give_notebooks(spawner) -> None:
    """Pre-spawn hook: on a participant's first start, copy the learner notebooks into their home.

    Runs ``equitykit notebooks ~/notebooks`` as the participant (so the files are theirs). If
    the folder exists already, nothing is copied: their work is kept.
    """
    user = pwd.getpwnam(spawner.user.name)
    target = Path(user.pw_dir) / NOTEBOOKS_FOLDER
    exists = await asyncio.to_thread(_exists_as, spawner.user.name, target)
    if exists:
        return
    command = [str(Path(sys.executable).with_name("equitykit")), "notebooks", str(target)]
    env = {"HOME": user.pw_dir, "USER": user.pw_name, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "LANG": os.environ.get("LANG", "C.UTF-8")}
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, preexec_fn=set_user_setuid(user.pw_name),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    if proc.returncode:
        spawner.log.error(
            "Copying the notebooks for %s failed (%s): %s", user.pw_name, " ".join(command), output.decode(errors="replace")
        )
    else:
        spawner.log.info("Gave %s their own copy of the learner notebooks in %s", user.pw_name, target)


def _exists_as(username: str, path: Path) -> bool:
    """The hub runs as root; ask as the participant so a root-only file never counts."""
    return subprocess.run(
        ["runuser", "-u", username, "--", "test", "-e", str(path)], capture_output=True, timeout=30
    ).returncode == 0


def blocked_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The folders on the way to ``paths`` that other users cannot pass through (no ``o+x``).

    A participant's server runs Python as that participant: every folder from ``/`` down to
    the interpreter, the virtual environment and the equitykit package must let them through.

    Example
    -------
    >>> blocked_paths(["/usr/bin/env"])
    []
    """
    blocked: list[Path] = []
    for path in paths:
        real = Path(os.path.realpath(path))
        for folder in [*reversed(real.parents), real] if real.is_dir() else reversed(real.parents):
            if not folder.stat().st_mode & stat.S_IXOTH and folder not in blocked:
                blocked.append(folder)
    return blocked
