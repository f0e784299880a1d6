"""Locust scenarios of the opening-day surge (``bench/bench_surge.py`` runs them headless, on
the loopback, bounded in users and time). Read from the environment:

- ``SURGE_DATA``: the world's JSON (``world.world_make``); ``SURGE_OUT``: where the run's
  records go (every request's kind, status and time; every journey's end);
- ``SURGE_PACING``: 0 = closed loop (each voter user starts its next journey at once: the
  capacity run); else every journey user starts one journey every that many seconds (the
  offered load = users / pacing: the admission run);
- ``SURGE_SITE``: how many voters share one address (a site behind one proxy, 300).

Each journey takes the next voter not yet voted; a voter held at the door (admission
control's waiting page) goes back to the queue. When no voter is left the run stops."""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, constant_pacing, events, task

sys.path[:0] = [str(Path(__file__).resolve().parents[1])]
from surge.journey import Held, Http, JourneyError, background, journey  # noqa: E402

DATA = json.loads(Path(os.environ["SURGE_DATA"]).read_text())
PACING = float(os.environ.get("SURGE_PACING", "0"))
SITE = int(os.environ.get("SURGE_SITE", "300"))
QUEUE: deque[int] = deque(range(len(DATA["voters"])))
RECORDS: dict[str, list[Any]] = {"requests": [], "journeys": [], "held": [], "errors": []}


def _address(i: int) -> str:
    if i < SITE:  # one site (a rectorat) behind one address
        return "10.200.0.1"
    return f"10.{1 + i // 65536}.{i // 256 % 256}.{i % 256}"


def _host(user: HttpUser) -> str:
    return str(user.host).split("://", 1)[1].rstrip("/")


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response: Any = None,
            exception: Any = None, **_: Any) -> None:  # fmt: skip
    status = getattr(response, "status_code", 0)
    RECORDS["requests"].append((name, status, round(response_time, 2), time.time()))


@events.quitting.add_listener
def _dump(environment: Any, **_: Any) -> None:
    Path(os.environ["SURGE_OUT"]).write_text(json.dumps(RECORDS))


class Voter(HttpUser):
    weight = int(os.environ.get("SURGE_VOTER_WEIGHT", "10"))
    wait_time = constant_pacing(PACING) if PACING else constant(0)

    @task
    def whole_journey(self) -> None:
        if not QUEUE:
            self.environment.runner.quit()
            return
        i = QUEUE.popleft()
        voter = DATA["voters"][i]
        self.client.cookies.clear()
        http = Http(self.client, _address(i), host=_host(self), named=True)
        start = time.time()
        try:
            trackers = journey(http, voter, DATA["password"])
        except Held:
            QUEUE.append(i)
            RECORDS["held"].append(time.time())
            return
        except JourneyError as error:
            RECORDS["errors"].append((i, str(error)[:300]))
            return
        RECORDS["journeys"].append((start, time.time(), len(trackers)))


class Background(HttpUser):
    """Opening-link clicks, board lookups, the anonymous home: one round every 2 s a user."""

    weight = int(os.environ.get("SURGE_BACKGROUND_WEIGHT", "1"))
    wait_time = constant_pacing(2)

    @task
    def around(self) -> None:
        self.client.cookies.clear()
        http = Http(self.client, f"10.250.{random.randrange(256)}.{random.randrange(256)}",
                    host=_host(self), named=True)  # fmt: skip
        try:
            background(http, DATA["boards"], random.choice)
        except JourneyError as error:
            RECORDS["errors"].append((-1, str(error)[:300]))
