"""gunicorn settings, read from the environment like the rest of the service."""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Default: two workers per core plus one, the usual figure for a sync, I/O-bound app.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# No access log: it would record IP addresses and full addresses with their secrets.
# The app logs each request itself, without them (lgdss/request_log.py).
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
