"""gunicorn settings, read from the environment like the rest of the service."""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")


def _cores():
    """The CPUs this process may run on (fewer than the machine's under `taskset` or
    `docker run --cpuset-cpus`)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Default: one sync worker per core, and one more to run while another waits for the
# database. Measured with wrk on 2 cores, 5 workers (the usual "2 per core + 1") served no
# more requests a second than 3, and their slowest 1 % took 35-60 % longer: a page here is
# mostly Python, so extra workers only queue for the cores. WEB_CONCURRENCY overrides it
# (docs/decisions/0025-the-request-path.md).
workers = int(os.environ.get("WEB_CONCURRENCY", _cores() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# No access log: it would record IP addresses and full addresses with their secrets.
# The app logs each request itself, without them (lgdss/request_log.py).
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
