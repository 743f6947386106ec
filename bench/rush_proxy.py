"""nginx in front of gunicorn pools, and task workers, as the rush and the scale-out rehearsal
run them on 127.0.0.1: every file (config, pid, logs, temp folders) in a temporary folder, every
process in its own process group, stopped by id at the end.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import HOST, ROOT, VENV_BIN, fetch

# The rush's own pool, when the layout has one: the enrolment form's POST, and the request's page
# it leads to (and reloads every few seconds while queued), so that none of the rush's requests
# waits in front of other residents' pages in the main pool's queue.
RUSH_LOCATION = r"~ ^/(classes/courses/\d+/enrol|classes/requests/\d+|bench/noop-post)/$"

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    log_format timed '$upstream_response_time $request_time $status "$request"';
    {access_log}
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream main {{
{main_servers}
    }}
    upstream rush {{
{rush_servers}
    }}
    server {{
        listen {host}:{port} backlog=4096;
        client_max_body_size 20m;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_read_timeout 120s;
        location {rush_location} {{ proxy_pass http://rush; }}
{media}
        location / {{ proxy_pass http://main; }}
    }}
}}
"""


class Nginx:
    """nginx on `port`, passing the rush's POSTs to `rush_ports` and the rest to `main_ports`
    (round-robin between several)."""

    def __init__(
        self,
        port: int,
        main_ports: list[int],
        rush_ports: list[int] | None = None,
        *,
        media_root: str | None = None,
        access_log: Path | None = None,
    ):
        if shutil.which("nginx") is None:
            raise SystemExit("nginx is not installed: apt-get install -y nginx")
        self.port = port
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        servers = lambda ports: "\n".join(f"        server {HOST}:{p};" for p in ports)  # noqa: E731
        conf = NGINX_CONF.format(
            tmp=self.tmp,
            host=HOST,
            port=port,
            main_servers=servers(main_ports),
            rush_servers=servers(rush_ports or main_ports),
            rush_location=RUSH_LOCATION,
            # uploads are served from the shared media folder by the proxy, as in production
            media=f"        location /media/ {{ alias {media_root}/; }}" if media_root else "",
            # Each request's time in gunicorn and in all (the mix lists the slowest), or none.
            access_log=f"access_log {access_log} timed;" if access_log else "access_log off;",
        )
        (self.tmp / "nginx.conf").write_text(conf)
        self.log = (self.tmp / "stdout.log").open("w")
        self.proc = subprocess.Popen(
            [
                "nginx",
                "-p",
                str(self.tmp),
                "-e",
                str(self.tmp / "error.log"),
                "-c",
                str(self.tmp / "nginx.conf"),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str = "/bench/ceiling/", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"nginx exited: {(self.tmp / 'error.log').read_text(errors='replace')}"
                )
            try:
                if fetch(self.port, path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("nginx did not answer")

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class TaskWorker:
    """`manage.py db_worker` on the database queue, in its own process group."""

    def __init__(self, env: dict, log: Path, *, nice: int = 0, worker_id: str = ""):
        self.log = log.open("w")
        cmd = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-reload"]
        cmd += ["--no-startup-delay", *(["--worker-id", worker_id] if worker_id else [])]
        if nice:
            cmd = ["nice", "-n", str(nice), *cmd]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**env, "TASKS_BACKEND": "database"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()


def _stop(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


__all__ = ["Nginx", "TaskWorker", "VENV_BIN"]
