"""The workshop hub (workshop/hub/): sign-in with a code, a system user per participant, privacy, admin, kept work.

The hub tests start a real JupyterHub on 127.0.0.1 and create system users (``ek-t<random>-a``),
so they need root. CI runs as root: under CI=true they run, never skip. Every user, home folder
and process they create is removed afterwards, pass or fail.
"""
from __future__ import annotations

import concurrent.futures
import doctest
import os
import pwd
import stat
import sys
import uuid
from pathlib import Path

import pytest

HUB_DIR = Path(__file__).resolve().parent.parent / "workshop" / "hub"
IS_ROOT = os.geteuid() == 0
IN_CI = os.environ.get("CI") == "true"
if not IN_CI:
    pytest.importorskip("jupyterhub", reason="the hub extra is not installed: pip install -e .[hub] (make test does)")
sys.path.insert(0, str(HUB_DIR))

import equitykit_hub  # noqa: E402
import hub_client  # noqa: E402
import hub_launch  # noqa: E402
from equitykit_hub import NameRefused, check_name, remove_participant  # noqa: E402
from hub_client import SignInRefused, sign_in  # noqa: E402
from hub_launch import Hub  # noqa: E402

needs_root = pytest.mark.skipif(
    not IS_ROOT and not IN_CI,
    reason="the hub creates a system user per participant: run as root (CI does, and there these tests run)",
)


# ---------- the rules, no hub needed ----------

def test_the_hub_modules_examples_run():
    for module in (equitykit_hub, hub_launch):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


@pytest.mark.parametrize("name", ["amina", "team-3-sam", "jo", "a1234567890123456789"])
def test_a_good_name_maps_to_a_prefixed_system_user(name):
    assert check_name(name, facilitator="facilitator") == "ek-" + name


@pytest.mark.parametrize("name, words", [
    ("", "Type a name"),
    ("a", "1 characters"),
    ("a12345678901234567890", "21 characters"),
    ("Amina", "capital letters or spaces"),
    ("amina khan", "capital letters or spaces"),
    ("3amina", "does not start with a letter"),
    ("-amina", "does not start with a letter"),
    ("amina_k", "other than lowercase"),
    ("amina--k", "other than lowercase"),
    ("amina-", "other than lowercase"),
    ("am/../x", "other than lowercase"),
    ("facilitator", "facilitator's name"),
    ("root", "account on this server"),
    ("nobody", "account on this server"),
])
def test_a_bad_name_is_refused_with_the_rule_it_breaks(name, words):
    with pytest.raises(NameRefused, match=words):
        check_name(name, facilitator="facilitator")


def test_codes_must_be_long_enough_and_different():
    equitykit_hub.check_codes("qi-abcdef", "qi-ghjkmn")
    with pytest.raises(ValueError, match="EQUITYKIT_HUB_CODE"):
        equitykit_hub.check_codes("", "qi-ghjkmn")
    with pytest.raises(ValueError, match="must differ"):
        equitykit_hub.check_codes("qi-abcdef", "qi-abcdef")


def test_random_codes_avoid_look_alike_characters():
    codes = {hub_launch.make_code() for _ in range(200)}
    assert len(codes) == 200
    assert not set("".join(code[3:] for code in codes)) & set("01ilo")


def test_blocked_paths_names_a_folder_others_cannot_pass(tmp_path):
    locked = tmp_path / "locked"
    (locked / "inner").mkdir(parents=True)
    locked.chmod(0o700)
    assert locked in equitykit_hub.blocked_paths([locked / "inner"])
    locked.chmod(0o711)
    assert locked not in equitykit_hub.blocked_paths([locked / "inner"])


# ---------- a real hub: sign-in, users, privacy, admin, kept work ----------

@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A hub on a free 127.0.0.1 port; removes every user it made (facilitator and participants) after."""
    if not IS_ROOT:
        pytest.fail("the hub tests need root (they run as root in CI)")
    tag = uuid.uuid4().hex[:6]
    hub = Hub(tmp_path_factory.mktemp("hub"), facilitator=f"f{tag}")
    hub.names = {"a": f"t{tag}-a", "b": f"t{tag}-b", "refused": f"t{tag}-c"}
    made = [f"ek-f{tag}"] + [f"ek-{name}" for name in hub.names.values()]
    try:
        hub.start(timeout=120)
        yield hub
    finally:
        hub.stop()
        for username in made:
            remove_participant(username)
        leftovers = [p.pw_name for p in pwd.getpwall() if tag in p.pw_name]
        assert not leftovers, f"users left behind: {leftovers}"


@pytest.fixture(scope="module")
def people(hub):
    """Participants A and B signed in with their servers running, and the facilitator signed in."""
    a = sign_in(hub.url, hub.names["a"], hub.code)
    b = sign_in(hub.url, hub.names["b"], hub.code)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda person: person.start_server(), (a, b)))
    facilitator = sign_in(hub.url, hub.facilitator, hub.facilitator_code)
    return {"a": a, "b": b, "facilitator": facilitator}


def _notebook(text: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "markdown", "id": "note", "metadata": {}, "source": text}]}


@needs_root
def test_a_wrong_code_is_refused_and_makes_no_user(hub):
    with pytest.raises(SignInRefused) as refused:
        sign_in(hub.url, hub.names["refused"], hub.code + "x")
    assert refused.value.status == 403
    assert "Workshop code" in refused.value.text  # the sign-in page again, with its labels
    with pytest.raises(SignInRefused):
        sign_in(hub.url, hub.names["refused"], hub.facilitator_code)  # the facilitator's code is not a way in
    with pytest.raises(KeyError):
        pwd.getpwnam("ek-" + hub.names["refused"])


@needs_root
def test_a_bad_name_or_the_facilitators_name_is_refused_with_the_reason(hub):
    with pytest.raises(SignInRefused) as refused:
        sign_in(hub.url, "Amina Khan", hub.code)
    assert "lowercase letters" in refused.value.text.replace("&#39;", "'")
    with pytest.raises(SignInRefused):
        sign_in(hub.url, hub.facilitator, hub.code)  # the facilitator's name with the workshop code


@needs_root
def test_each_participant_runs_as_their_own_user_with_a_private_home(people):
    a = people["a"]
    user = pwd.getpwnam(a.username)
    home = Path(user.pw_dir)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700 and home.stat().st_uid == user.pw_uid
    with a.kernel() as kernel:
        run = kernel.run("import os, equitykit; print(os.getuid(), os.getcwd())")
    assert run.status == "ok", run.error
    assert run.stdout.split() == [str(user.pw_uid), str(home)]


@needs_root
def test_a_participants_kernel_cannot_read_or_write_anothers_files(people):
    a, b = people["a"], people["b"]
    b.save_notebook("private.ipynb", _notebook("B's notes"))
    b_home = pwd.getpwnam(b.username).pw_dir
    with a.kernel() as kernel:
        read = kernel.run(f"open({b_home + '/private.ipynb'!r}).read()")
        write = kernel.run(f"open({b_home + '/planted.txt'!r}, 'w').write('x')")
        listing = kernel.run(f"import os; os.listdir({b_home!r})")
    for run in (read, write, listing):
        assert run.status == "error" and run.error.startswith("PermissionError"), run
    assert not Path(b_home, "planted.txt").exists()
    assert a.read_file("private.ipynb", user=b.username).status_code == 403  # nor through B's server


@needs_root
def test_a_participant_is_not_an_admin(people):
    a, b = people["a"], people["b"]
    assert a.hub_api("GET", "users").status_code == 403
    assert a.hub_api("GET", f"users/{b.username}").status_code in (403, 404)
    assert a.hub_api("DELETE", f"users/{b.username}/server").status_code in (403, 404)
    assert a.hub_api("POST", "users/ek-someone-else").status_code == 403
    assert a.hub_api("DELETE", f"users/{b.username}").status_code in (403, 404)
    assert a.hub_api("GET", f"users/{a.username}").json()["admin"] is False


@needs_root
def test_the_facilitator_sees_who_is_in_and_can_open_a_participants_server(hub, people):
    facilitator, a, b = people["facilitator"], people["a"], people["b"]
    users = {user["name"]: user for user in facilitator.hub_api("GET", "users").json()}
    assert users[facilitator.username]["admin"] is True
    assert {a.username, b.username} <= set(users)
    assert all(users[p.username]["servers"][""]["ready"] for p in (a, b))
    assert [name for name, user in users.items() if user["admin"]] == [facilitator.username]
    a.save_notebook("help-me.ipynb", _notebook("stuck on step 3"))
    opened = facilitator.read_file("help-me.ipynb", user=a.username)
    assert opened.status_code == 200 and opened.json()["content"]["cells"][0]["source"] == "stuck on step 3"
    services = {service["name"]: service for service in facilitator.hub_api("GET", "services").json().values()}
    assert "idle-culler" in services  # idle servers are stopped by the hub-managed culler


@needs_root
def test_a_saved_notebook_survives_its_server_stopping_and_starting(people):
    a = people["a"]
    a.save_notebook("my-work.ipynb", _notebook("our aim: halve the gap by March"))
    a.stop_server()
    saved = Path(pwd.getpwnam(a.username).pw_dir, "my-work.ipynb")
    assert saved.exists() and saved.stat().st_uid == pwd.getpwnam(a.username).pw_uid
    a.start_server()
    again = a.read_file("my-work.ipynb")
    assert again.status_code == 200
    assert again.json()["content"]["cells"][0]["source"] == "our aim: halve the gap by March"


@needs_root
def test_the_first_start_gives_a_participant_their_own_learner_notebooks(people):
    a = people["a"]
    listing = a.read_file(equitykit_hub.NOTEBOOKS_FOLDER)
    assert listing.status_code == 200, "no notebooks folder: see the hub log for `equitykit notebooks`"
    names = {item["name"] for item in listing.json()["content"]}
    assert "01_identify_the_gap.ipynb" in names
    copy = Path(pwd.getpwnam(a.username).pw_dir, equitykit_hub.NOTEBOOKS_FOLDER, "01_identify_the_gap.ipynb")
    assert copy.stat().st_uid == pwd.getpwnam(a.username).pw_uid


@needs_root
def test_the_hub_listens_on_localhost_only(hub):
    import psutil

    listening = {c.laddr.ip for c in psutil.net_connections("tcp")
                 if c.status == psutil.CONN_LISTEN and c.laddr.port == hub.port}
    assert listening == {"127.0.0.1"}


def test_make_hub_installs_the_extra_and_the_proxy_then_runs_the_launcher():
    """Dry run: nothing installed or started."""
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = HUB_DIR.parent.parent
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry = subprocess.run(["make", "--no-print-directory", "-n", "-B", "hub"], cwd=root,
                         capture_output=True, text=True, env=env, timeout=60)
    assert 'pip install --quiet -e ".[hub]"' in dry.stdout, dry.stdout + dry.stderr
    assert "npm ci --prefix workshop/hub" in dry.stdout
    assert dry.stdout.strip().splitlines()[-1].endswith("workshop/hub/hub_launch.py")


@needs_root
def test_make_hubs_launcher_prints_the_address_and_code_and_stops_cleanly(tmp_path):
    import subprocess
    import urllib.request

    tag = uuid.uuid4().hex[:6]
    port = hub_launch.free_port()
    env = dict(os.environ, EQUITYKIT_HUB_CODE=f"qi-{tag}", EQUITYKIT_HUB_FACILITATOR=f"f{tag}")
    modes = {p: p.stat().st_mode for p in (Path("/root"), Path(sys.prefix))}
    launcher = subprocess.Popen([sys.executable, str(HUB_DIR / "hub_launch.py"), "--port", str(port),
                                 "--state", str(tmp_path / "state")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in launcher.stdout:  # the welcome ends with the line about Ctrl-C
            lines.append(line)
            if "Ctrl-C" in line or len(lines) > 50:
                break
        text = "".join(lines)
        assert f"Workshop hub: http://127.0.0.1:{port}" in text, text
        assert f"Workshop code (give to participants): qi-{tag}" in text
        assert f"name f{tag}, code qi-" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/login", timeout=30) as page:
            assert "Workshop code" in page.read().decode()
        launcher.terminate()
        assert launcher.wait(90) == 0
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/hub/login", timeout=5)
        assert {p: p.stat().st_mode for p in modes} == modes  # any folder it opened is closed again
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait(30)
        remove_participant(f"ek-f{tag}")


def test_an_address_that_keeps_guessing_must_wait_but_a_right_code_still_counts_before():
    import asyncio
    from types import SimpleNamespace

    from tornado import web

    auth = equitykit_hub.WorkshopAuthenticator(workshop_code="qi-abcdef", facilitator_code="qi-ghjkmn",
                                               max_wrong_codes=3, create_system_users=False)
    room = SimpleNamespace(request=SimpleNamespace(remote_ip="10.0.0.7"))
    other = SimpleNamespace(request=SimpleNamespace(remote_ip="10.0.0.8"))
    sign = lambda handler, name, code: asyncio.run(auth.authenticate(handler, {"username": name, "password": code}))  # noqa: E731
    assert sign(room, "amina", "qi-abcdef") == "ek-amina"
    assert [sign(room, "amina", guess) for guess in ("qi-1", "qi-2", "qi-3")] == [None, None, None]
    with pytest.raises(web.HTTPError) as waiting:
        sign(room, "amina", "qi-abcdef")
    assert waiting.value.status_code == 429 and "wait 10 minutes" in waiting.value.log_message
    assert sign(other, "sam", "qi-abcdef") == "ek-sam"  # another address is not held up
    assert sign(other, "facilitator", "qi-ghjkmn") == "ek-facilitator"


def test_a_folder_opened_for_participants_is_closed_only_when_the_last_hub_stops(tmp_path, monkeypatch):
    import shutil
    import tempfile

    monkeypatch.setattr(hub_launch, "OPENED", tmp_path / "opened.json")
    base = Path(tempfile.mkdtemp(dir="/tmp"))  # tmp_path's parents are closed to others: not this one
    base.chmod(0o755)
    locked = base / "locked"
    (locked / "python").mkdir(parents=True)
    locked.chmod(0o700)
    try:
        _open_and_close_twice(locked)
    finally:
        shutil.rmtree(base)


def _open_and_close_twice(locked: Path) -> None:
    first, second = f"{os.getpid()}-first", f"{os.getpid()}-second"
    assert hub_launch.open_paths_for_participants(first, [locked / "python"]) == [(locked, 0o700)]
    assert hub_launch.open_paths_for_participants(second, [locked / "python"]) == []  # open already
    hub_launch.close_paths(first)
    assert stat.S_IMODE(locked.stat().st_mode) == 0o701  # the second hub still needs it
    hub_launch.close_paths(second)
    assert stat.S_IMODE(locked.stat().st_mode) == 0o700
