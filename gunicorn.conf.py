"""gunicorn's production settings; gunicorn reads this file from the working directory itself.

`gunicorn callviewer.wsgi` (README, deployment) needs nothing more on its command line.

Serving model: nearly every page waits on a provider's HTTP API (seconds, when it is slow),
so capacity is threads, not CPU. gthread workers serve each request on a thread; a thread
waiting on a provider costs little, and the worker keeps answering its heartbeat while its
threads wait, so a long recording stream is never killed by `timeout`. Two processes per
host use both cores for the Python work between waits. Requests that may wait on a provider
are capped below the thread count (PROVIDER_PAGES_PER_PROCESS, callviewer/capacity.py), so
the health check, sign-in and the admin always find a free thread.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "128"))
# A worker that stops answering its heartbeat for this long is restarted (not a request limit
# under gthread: requests and streams may take longer).
timeout = 60
graceful_timeout = 30
keepalive = 5
# No runtime control socket (gunicorn 25+ opens one at ~/.gunicorn/gunicorn.ctl by default):
# callviewer needs no live management, and every gunicorn of one user would share that path.
control_socket_disable = True

# Access log on standard output, without query strings: searches carry callers' phone numbers
# in them (?number=...). Nor the Referer, which holds the previous page's query string.
# Fields: client (the proxy), time, method, path, protocol, status, bytes, milliseconds, agent.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
