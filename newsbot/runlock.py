"""One crawl per state directory at a time.

An ``flock`` on ``state/crawl.lock``: the kernel releases it when the holding process dies, however it dies, so
a stale lock (``kill -9``, a reboot) is taken over by the next run without anyone deleting files. The holder's PID
is written into the file so the refusal can say who holds it.

Every way of running a crawl takes it: ``newsbot crawl`` before it starts Scrapy (so it can exit 75 at once), and
the dedup pipeline when a spider opens (``scrapy crawl``, a ``CrawlerProcess`` with newsbot's settings). Within one
process the lock is shared and counted (:meth:`RunLock.shared`): flock locks belong to an open file, so a second
``open`` + ``flock`` by the same process would refuse itself.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path


class LockHeld(RuntimeError):
    """Another crawl is running on the same state directory."""


class LockError(RuntimeError):
    """The lock file cannot be created or locked (a directory in its place, no permission); one-line message."""


_SHARED: dict[str, RunLock] = {}
_SHARED_GUARD = threading.Lock()


class RunLock:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self._holders = 0

    @classmethod
    def shared(cls, path: str | os.PathLike[str]) -> RunLock:
        """The process's one lock object for this path; acquire/release are counted."""
        key = str(Path(path).resolve())
        with _SHARED_GUARD:
            lock = _SHARED.get(key)
            if lock is None:
                lock = _SHARED[key] = cls(path)
            return lock

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            self._holders += 1
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileExistsError:
            raise LockError(f"cannot create the lock {self.path}: {self.path.parent} is not a directory") from None
        except IsADirectoryError:
            raise LockError(f"lock file {self.path} is a directory; remove it") from None
        except OSError as exc:
            raise LockError(f"cannot create the lock {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockHeld(f"another crawl (pid {holder}) is running on {self.path.parent}") from None
        except OSError as exc:
            os.close(fd)
            raise LockError(f"cannot lock {self.path}: {exc.strerror or exc}") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        self._holders = 1

    def release(self) -> None:
        if self._fd is None:
            return
        self._holders -= 1
        if self._holders > 0:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass  # a full disk must not keep the lock: the kernel drops it with the descriptor anyway
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
