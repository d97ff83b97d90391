"""The worker process's sending threads, kept from batch to batch and task to task.

A lane used to run on a thread made for its task and to open and close a
database connection of its own. When an outage trickles in (a message or two
per claim, one lane each) connecting cost more than sending: about 2 ms of the
worker's CPU and a new PostgreSQL backend process per lane. Threads kept for
the process keep their connection between lanes for as long as
``DATABASE_CONN_MAX_AGE`` allows (checked before and after each lane, as
Django does around a request), and a thread left idle for ``IDLE_SECONDS``
closes its connection and ends, so a quiet worker holds no connections and a
fleet of workers does not pin the database's connection slots.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from django.db import connection

IDLE_SECONDS = 10.0

_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class SendingThreads:
    def __init__(self, size: int, idle_seconds: float = IDLE_SECONDS) -> None:
        self.size = size
        self.idle_seconds = idle_seconds
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        # Under the lock: the threads, how many wait for a job, how many jobs
        # wait for a thread. A thread ends only when none does, so a job
        # submitted meanwhile always finds a thread or starts one.
        self.lock = threading.Lock()
        self.threads: set[threading.Thread] = set()
        self.waiting = 0
        self.queued = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        with self.lock:
            self.queued += 1
            if self.queued > self.waiting and len(self.threads) < self.size:
                thread = threading.Thread(target=self._run, name="delivery", daemon=True)
                self.threads.add(thread)
                thread.start()
            self.jobs.put((future, fn, args))
        return future

    def alive(self) -> int:
        with self.lock:
            return len(self.threads)

    def stop(self, timeout: float = 10.0) -> None:
        """End every thread, each closing its connection (tests; a process's
        exit needs nothing: its connections end with it)."""
        with self.lock:
            threads = list(self.threads)
            for _thread in threads:
                self.jobs.put(None)
        for thread in threads:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            while (job := self._next_job()) is not None:
                future, fn, args = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    result = fn(*args)
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
                del job, future, fn, args
        finally:
            connection.close()

    def _next_job(self) -> _Job | None:
        """The next job, or None when this thread is to end (it has left the set)."""
        while True:
            with self.lock:
                self.waiting += 1
            try:
                job = self.jobs.get(timeout=self.idle_seconds)
            except queue.Empty:
                job = None
                timed_out = True
            else:
                timed_out = False
            with self.lock:
                self.waiting -= 1
                if job is not None:
                    self.queued -= 1
                    return job
                if timed_out and self.queued > self.waiting:
                    continue  # a job is on its way to the queue
                self.threads.discard(threading.current_thread())
                return None


_threads: SendingThreads | None = None
_threads_pid = 0
_lock = threading.Lock()


def sending_threads(size: int) -> SendingThreads:
    """This process's threads (a forked child makes its own: its parent's
    threads did not survive the fork)."""
    global _threads, _threads_pid
    with _lock:
        if _threads is None or _threads_pid != os.getpid() or _threads.size != size:
            _threads = SendingThreads(size)
            _threads_pid = os.getpid()
        return _threads


def stop() -> None:
    with _lock:
        threads = _threads if _threads_pid == os.getpid() else None
    if threads is not None:
        threads.stop()
