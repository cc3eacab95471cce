"""gunicorn's production settings; gunicorn reads this file from the working directory itself.

`gunicorn callviewer.wsgi` (README, deployment) needs nothing more on its command line.
"""

# Access log on standard output, without query strings: searches carry callers' phone numbers
# in them (?number=...). Nor the Referer, which holds the previous page's query string.
# Fields: client (the proxy), time, method, path, protocol, status, bytes, milliseconds, agent.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
