"""A load the reliability tests share: clients that each drive whole hiring flows over HTTP,
every command with an Idempotency-Key, and a tally of what was answered.

A client either fails on the first unexpected answer (`retry=False`: a clean run must have
none) or retries a command with the same key after a connection error, a 503 or a 429 until
a deadline (`retry=True`: the server is being killed or its database cut off). The tally
keeps, for every key that got a 2xx, the log position its answer named: the tests compare
those with the events the log gained.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

RETRIED = (429, 503)


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    positions: dict[str, int] = field(default_factory=dict)  # key -> position answered
    # key -> the events its command recorded, ending at the position answered (one, but a
    # placement that fills its position's headcount records three: counted, filled, Hired)
    recorded: dict[str, int] = field(default_factory=dict)
    replays: int = 0
    connection_errors: int = 0
    flows_done: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    def summary(self) -> str:
        total = sum(self.statuses.values())
        by_class = Counter(f"{s // 100}xx" for s in self.elements())
        return (f"{total} requests ({by_class['2xx']} 2xx, {by_class['4xx']} 4xx, "
                f"{by_class['5xx']} 5xx), {len(self.positions)} commands recorded, "
                f"{self.replays} idempotent replays, {self.connection_errors} connection "
                f"errors, {self.flows_done} flows done")

    def elements(self) -> list[int]:
        return list(self.statuses.elements())


class Client:
    def __init__(self, url: str, token: str, tally: Tally, retry: bool,
                 deadline: float) -> None:
        self.url, self.tally, self.retry, self.deadline = url, tally, retry, deadline
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def command(self, path: str, body: dict[str, Any], events: int = 1) -> dict[str, Any]:
        key, pause = str(uuid.uuid4()), 0.05
        while True:
            try:
                answer = self.session.post(self.url + path, json=body, timeout=15,
                                           headers={"Idempotency-Key": key})
            except requests.RequestException as error:
                with self.tally.lock:
                    self.tally.connection_errors += 1
                if not self.retry or time.monotonic() > self.deadline:
                    raise AssertionError(f"POST {path}: {error}") from error
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
                continue
            self.tally.count(answer.status_code)
            if answer.status_code in RETRIED and self.retry and time.monotonic() < self.deadline:
                time.sleep(float(answer.headers.get("Retry-After", "1")) / 4)
                continue
            if not 200 <= answer.status_code < 300:
                raise AssertionError(f"POST {path}: {answer.status_code} {answer.text[:300]}")
            receipt = answer.json()
            with self.tally.lock:
                if answer.headers.get("Idempotent-Replayed") == "true":
                    self.tally.replays += 1
                self.tally.positions[key] = receipt["position"]
                self.tally.recorded[key] = events
            return receipt

    def read(self, path: str) -> dict[str, Any]:
        while True:
            try:
                answer = self.session.get(self.url + path, timeout=15)
            except requests.RequestException as error:
                with self.tally.lock:
                    self.tally.connection_errors += 1
                if not self.retry or time.monotonic() > self.deadline:
                    raise AssertionError(f"GET {path}: {error}") from error
                time.sleep(0.1)
                continue
            self.tally.count(answer.status_code)
            if answer.status_code in RETRIED and self.retry and time.monotonic() < self.deadline:
                time.sleep(0.25)
                continue
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
            return answer.json()

    def hire_someone(self, n: int) -> None:
        """One whole flow: a client, a position, a candidate taken to placement."""
        now = datetime.now(UTC)
        soon = (now + timedelta(days=7)).isoformat()
        client = self.command("/api/v1/clients", {"name": f"Client {n}"})["id"]
        position = self.command("/api/v1/positions", {
            "client_id": client, "title": f"Developer {n}", "headcount": 1,
            "skills": [{"name": "python", "weight": 5, "required": True},
                       {"name": "sql", "weight": 2, "required": False}],
            "assessment": {"name": "Take-home", "duration_minutes": 120}})["id"]
        candidate = self.command("/api/v1/candidates", {
            "position_id": position, "name": f"Person {n}", "email": f"person{n}@example.com",
            "source": "referral"})["id"]
        steps: list[tuple[str, dict[str, Any]]] = [
            ("application", {}), ("assessment", {"due_at": soon}),
            ("assessment/result", {"grades": {"python": "strong_yes", "sql": "yes"}}),
            ("recommendation", {"summary": "Strong on the take-home"}),
            ("interview-request", {"requested_by": "Hana at the client"}),  # on its behalf
            # held an hour ago, recorded after the fact: feedback follows at once
            ("interview", {"scheduled_at": (now - timedelta(hours=1)).isoformat(),
                           "interviewers": ["Ida"]}),
            ("interview/feedback", {"interviewer": "Ida", "rating": "yes"}),
            ("decision", {"outcome": "hire", "reason": "The best of the round",
                          "decided_by": "Hana at the client"}),
            ("offer", {"salary": "85000", "currency": "EUR",
                       "start_date": (now + timedelta(days=30)).date().isoformat(),
                       "expires_at": soon}),
            ("offer/response", {"accepted": True}),
            ("placement", {"start_date": (now + timedelta(days=30)).date().isoformat()})]
        for step, body in steps:  # the placement fills the position (headcount 1)
            self.command(f"/api/v1/candidates/{candidate}/{step}", body,
                         events=3 if step == "placement" else 1)
        assert self.read(f"/api/v1/candidates/{candidate}")["stage"] == "hired"
        with self.tally.lock:
            self.tally.flows_done += 1


def run_clients(url: str, tokens: list[str], flows_each: int, tally: Tally, retry: bool,
                seconds: float = 120) -> float:
    """Every client runs its flows at once; how long it took."""
    deadline, started = time.monotonic() + seconds, time.monotonic()

    def work(index: int, token: str) -> None:
        client = Client(url, token, tally, retry, deadline)
        try:
            for flow in range(flows_each):
                client.hire_someone(index * 1000 + flow)
        except Exception as error:
            with tally.lock:
                tally.failures.append(f"client {index}: {error}")

    threads = [threading.Thread(target=work, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    return time.monotonic() - started


def new_tokens(url: str, admin_token: str, count: int) -> list[str]:
    """Recruiter tokens, one per client (the rate limit is per token)."""
    return [requests.post(url + "/api/v1/tokens", json={"name": f"load {i}", "role": "recruiter"},
                          headers={"Authorization": f"Bearer {admin_token}"},
                          timeout=30).json()["token"] for i in range(count)]
