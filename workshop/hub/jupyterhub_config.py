# JupyterHub configuration for an equitykit workshop (jupyterhub -f workshop/hub/jupyterhub_config.py).
#
# Settings come from the environment so codes never appear on a command line (which every user
# of the machine can read with `ps`). `make hub` (workshop/hub/hub_launch.py) sets them for you.
#   EQUITYKIT_HUB_CODE              the workshop code participants type (required, 6+ characters)
#   EQUITYKIT_HUB_FACILITATOR       the facilitator's sign-in name (default: facilitator)
#   EQUITYKIT_HUB_FACILITATOR_CODE  the facilitator's own code (required, differs from the workshop code)
#   EQUITYKIT_HUB_IP, _PORT         where the hub listens (default 127.0.0.1:8000: this machine only)
#   EQUITYKIT_HUB_STATE             folder for the hub's database and cookie secret (default build/hub)
#   EQUITYKIT_HUB_IDLE_MINUTES      stop a server after this many idle minutes (default 30; files are kept)
#   EQUITYKIT_HUB_HOME_BASE         where participants' home folders are made (default /home)
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from equitykit_hub import WorkshopAuthenticator, check_codes, check_name, give_notebooks  # noqa: E402

c = get_config()  # noqa: F821 (JupyterHub provides get_config)
setting = os.environ.get
state = Path(setting("EQUITYKIT_HUB_STATE", str(HERE.parent.parent / "build" / "hub"))).resolve()
state.mkdir(parents=True, exist_ok=True, mode=0o700)
bin_dir = Path(sys.executable).parent
idle_seconds = int(float(setting("EQUITYKIT_HUB_IDLE_MINUTES", "30")) * 60)

# Who may sign in: any valid name with the workshop code; the facilitator with their own code.
c.JupyterHub.authenticator_class = WorkshopAuthenticator
auth = c.WorkshopAuthenticator
auth.workshop_code = setting("EQUITYKIT_HUB_CODE", "")
auth.facilitator = setting("EQUITYKIT_HUB_FACILITATOR", "facilitator")
auth.facilitator_code = setting("EQUITYKIT_HUB_FACILITATOR_CODE", "")
auth.home_base = setting("EQUITYKIT_HUB_HOME_BASE", "/home")
auth.user_prefix = "ek-"  # system users ek-<name> stay apart from real accounts
check_name(auth.facilitator, facilitator="", prefix=auth.user_prefix)  # same rules as participants' names
check_codes(auth.workshop_code, auth.facilitator_code)
# The facilitator is the only admin. The admin role can open any participant's server
# (scope access:servers), so `admin_access` (deprecated since JupyterHub 2) is not needed.
c.Authenticator.admin_users = {auth.user_prefix + auth.facilitator}

# Where it listens: this machine only unless told otherwise.
c.JupyterHub.ip = setting("EQUITYKIT_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(setting("EQUITYKIT_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.template_paths = [str(HERE / "templates")]

# Each participant's JupyterLab runs as their own system user, from this Python environment,
# starting in their home folder, with their own copy of the learner notebooks.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.environment = {"PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"}
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.pre_spawn_hook = give_notebooks
c.Spawner.start_timeout = 300  # 20 servers starting at once on 2 busy cores took minutes (README: sizing)
c.Spawner.http_timeout = 300

# Idle servers stop; the participant's files stay in their home folder.
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle_seconds}",
                    f"--cull-every={max(10, min(300, idle_seconds // 4))}"],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
