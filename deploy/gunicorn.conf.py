"""gunicorn's configuration for Urne's web processes (`gunicorn -c deploy/gunicorn.conf.py`).

Read by the systemd unit (deploy/systemd/urne-web.service) and by `make serve`. Every value
can be overridden from the environment (docs/deployment.md, "The environment").

- One sync worker per core: the cast benchmark (docs/benchmarks.md, `make bench-cast`)
  spends its CPU in the worker (11 of a cast's 14 CPU ms), so a second worker per core only
  queues behind the first (`--workers 4` on 2 cores: no better, p99 no better).
- The application is loaded in the master before forking (`preload_app`): `urne.site.wsgi`
  runs the system checks there and exits on an error (ADR 0552), so gunicorn itself exits
  with status 1 before binding, and systemd sees the failure at once.
- Bound to the loopback or the private network only: the TLS proxy is the one client.
"""

import multiprocessing
import os

bind = os.environ.get("URNE_WEB_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("URNE_WEB_WORKERS", "0")) or multiprocessing.cpu_count()
worker_class = "sync"
preload_app = True
wsgi_app = "urne.site.wsgi:application"
# A cast answers in well under a second; a request still running after 30 s is stuck (the
# proxy's own timeout is the same), and the worker is replaced.
timeout = 30
graceful_timeout = 30
# The proxy keeps its connections to gunicorn open between requests.
keepalive = 5
# Workers are replaced now and then so that slow leaks never build up over an opening day.
max_requests = 20000
max_requests_jitter = 2000
# Behind nginx, which already bounds the request line and headers; these only refuse worse.
limit_request_line = 8190
limit_request_fields = 100
# The access log: the proxy's address (%h) and the client's as the proxy sent it; never the
# query string's secrets: Urne's links carry their tokens in the fragment (ADR 0532), which no
# browser sends.
accesslog = os.environ.get("URNE_WEB_ACCESS_LOG", "-")
errorlog = os.environ.get("URNE_WEB_ERROR_LOG", "-")
access_log_format = '%(h)s client=%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms'
pidfile = os.environ.get("URNE_WEB_PIDFILE") or None
proc_name = "urne-web"
# gunicorn's control socket (in the user's home by default) is not used: systemd and
# `tools/serve` manage the processes by their pid.
control_socket_disable = True
