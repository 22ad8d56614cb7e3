"""Serve Plan Map from several processes behind nginx with sticky sessions: `make serve WORKERS=2`.

One Streamlit process runs its reruns on one core. This starts WORKERS `streamlit run server.py` processes on
loopback ports and Debian's nginx in front of them, so planners' sessions spread over the cores (or, with the
upstream list pointed at other hosts, over machines). Sessions must stay on one process: a session's state,
its websocket and the layer data its map names (published per process, layers/serving.py) live there. nginx
gives each browser a random `planmap_backend` cookie on its first request and hashes every request on it.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = "/usr/sbin/nginx"
CONFIG = """
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {scratch}/body;
  proxy_temp_path {scratch}/proxy;
  fastcgi_temp_path {scratch}/fastcgi;
  uwsgi_temp_path {scratch}/uwsgi;
  scgi_temp_path {scratch}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
  # A browser keeps the backend it was first given; a missing or malformed cookie gets a new random one.
  map $cookie_planmap_backend $planmap_backend {{ "~^[0-9a-f]{{32}}$" $cookie_planmap_backend; default $request_id; }}
  upstream planmap {{
    hash $planmap_backend consistent;
{servers}
  }}
  server {{
    listen {address}:{port};
    location / {{
      proxy_pass http://planmap;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 1d;
      proxy_buffering off;
      add_header Set-Cookie "planmap_backend=$planmap_backend; Path=/; HttpOnly; SameSite=Lax" always;
    }}
  }}
}}
"""


def nginx_config(scratch: Path, address: str, port: int, backends: list[int]) -> str:
    servers = "\n".join(f"    server 127.0.0.1:{backend};" for backend in backends)
    return CONFIG.format(scratch=scratch, address=address, port=port, servers=servers)


def start(workers: int, address: str, port: int, first_backend: int, host: str | None,
          scratch: Path) -> list[subprocess.Popen]:
    """The workers, healthy, then nginx; every process started (stop them with `stop`)."""
    backends = [first_backend + number for number in range(workers)]
    processes = []
    for backend in backends:
        command = [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(backend),
                   "--server.address", "127.0.0.1", "--server.headless", "true"]
        if host:
            command += ["--server.allowedHosts", host]
        processes.append(subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}))
    for backend in backends:
        _wait_healthy(f"http://127.0.0.1:{backend}")
    config = scratch / "nginx.conf"
    config.write_text(nginx_config(scratch, address, port, backends), encoding="utf-8")
    processes.append(subprocess.Popen([NGINX, "-p", str(scratch), "-c", str(config), "-g", "daemon off;"]))
    _wait_healthy(f"http://{'127.0.0.1' if address in ('localhost', '0.0.0.0') else address}:{port}")
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_healthy(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not become healthy in {timeout:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="Streamlit processes")
    parser.add_argument("--address", default="localhost", help="where nginx listens (default localhost)")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--first-backend-port", type=int, default=8601)
    parser.add_argument("--host", help="the host name planners use (server.allowedHosts), e.g. planmap.example")
    args = parser.parse_args(argv)
    if not Path(NGINX).exists():
        parser.error(f"{NGINX} not found: install Debian's nginx (apt-get install nginx)")
    with tempfile.TemporaryDirectory(prefix="planmap-nginx-") as scratch:
        processes = start(args.workers, args.address, args.port, args.first_backend_port, args.host, Path(scratch))
        print(f"Plan Map: http://{args.address}:{args.port} ({args.workers} processes behind nginx)", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            stop(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
