"""One lock around every lazy import of a heavy client library made from a worker thread.

kubernetes and prometheus-api-client both import `requests`, and importing it from two threads at
once can hand one of them a partially initialised module ("cannot import name 'parse_dict_header'
from partially initialized module"), seen at start-up once the pod watch began before the first
Prometheus query. Sources and the advisor both take this lock, so it lives in neither.
"""

from __future__ import annotations

import threading

LAZY_IMPORTS = threading.RLock()
