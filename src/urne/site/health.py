"""The monitoring endpoints (docs/operations.md, "Monitoring"; ADR 0572), outside the
language prefix, no session, no secret, no count of anything:

- ``/healthz``: the process answers (liveness: a web worker that does not answer this is
  restarted); it touches no store;
- ``/readyz``: each of the three stores answers a trivial query (readiness: the proxy or the
  load balancer sends no voter to a server that cannot reach one); 503 when one does not,
  naming which, so that the failover runbook starts from the right store.
"""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

STORES = ("default", "authority", "urn")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _answers(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cur:
            cur.execute("SELECT 1")
            return cur.fetchone() == (1,)
    except DatabaseError:
        connections[alias].close()  # the next request opens a fresh connection
        return False


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    stores = {alias: "ok" if _answers(alias) else "down" for alias in STORES}
    ready = all(state == "ok" for state in stores.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "stores": stores},
        status=200 if ready else 503,
    )
