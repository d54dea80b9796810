"""``goclaw-db`` as a separate process, with its stderr read while it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time


class GoclawDbRun:
    """A running ``goclaw-db``; its stderr lines are collected as they come."""

    def __init__(self, *args: str, **settings: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOCLAW_")}
        env.update(settings)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "goclaw_db.cli", *args],
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self.stdout_lines), (self.process.stderr, self.stderr_lines))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait_for_stderr(self, *words: str, timeout: float = 60) -> str:
        """The first stderr line holding every word; fails if the run ends or time runs out first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stderr_lines):
                if all(word in line for word in words):
                    return line
            if self.process.poll() is not None and not self._readers[1].is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no stderr line with {words}: {self.stderr_lines}")

    def finish(self, timeout: float = 300) -> tuple[int, str, str]:
        """(exit code, stdout, stderr) once the run ends."""
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"goclaw-db still ran after {timeout} s: {self.stderr_lines[-5:]}") from None
        for reader in self._readers:
            reader.join()
        return self.process.returncode, "\n".join(self.stdout_lines), "\n".join(self.stderr_lines)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for reader in self._readers:
            reader.join()
