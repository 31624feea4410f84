"""Load local pages in headless Chromium with networking disabled and record what went wrong.

Talks the DevTools protocol over ``--remote-debugging-pipe`` (JSON messages
separated by NUL on file descriptors 3 and 4), so no websocket library or
port is needed. Networking is cut by routing every host to an unreachable
proxy and failing every DNS lookup; any request that leaves ``file://`` is
therefore a failed request, and is reported as such.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

BINARIES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_browser() -> str | None:
    """Path of a Chromium-family browser, or None (tests skip); POSIX only (the pipe needs fds 3 and 4)."""
    if os.name != "posix":
        return None
    for name in (os.environ.get("JUESUAN_CHROMIUM"), *BINARIES):
        if name and (path := shutil.which(name)):
            return path
    return None


@dataclass
class PageLoad:
    url: str
    requests: list[str] = field(default_factory=list)        # every URL requested
    failed: list[str] = field(default_factory=list)          # "url: net::ERR_..." per failed request
    console_errors: list[str] = field(default_factory=list)  # console.error, uncaught exceptions, log errors
    screenshot: Path | None = None
    title: str = ""
    text: str = ""                                           # document.body.innerText


class Browser:
    """One headless Chromium process; use as a context manager."""

    def __init__(self, binary: str, profile: Path):
        self._read_fd, child_write = os.pipe()     # browser writes → we read (its fd 4)
        child_read, self._write_fd = os.pipe()     # we write → browser reads (its fd 3)
        args = [binary, "--headless", "--disable-gpu", "--no-sandbox", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"]

        def wire():  # in the child, before exec: the protocol pipe must be fds 3 (in) and 4 (out)
            import fcntl

            high_read = fcntl.fcntl(child_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(child_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        # fds 3 and 4 are listed so that closing inherited descriptors spares them
        self._proc = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=wire,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(child_read)
        os.close(child_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._send("Browser.close")
        except OSError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._read_fd, self._write_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    # -- protocol -----------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._read_fd, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 60) -> dict:
        wanted = self._send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._events.append(message)

    def wait_for(self, method: str, session: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self._events.pop(i)
            self._events.append(self._receive(deadline))

    # -- one page -----------------------------------------------------------------
    def load(self, path: Path, screenshot: Path | None = None, settle: float = 1.0) -> PageLoad:
        """Open ``path`` from file://, wait for its load event and ``settle`` seconds of scripts, and report."""
        url = path.resolve().as_uri()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=session)
        self._events.clear()
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session)
        end = time.monotonic() + settle
        while time.monotonic() < end:  # let late requests and scripts report
            self.call("Runtime.evaluate", {"expression": "1"}, session=session)
            time.sleep(0.1)
        result = PageLoad(url=url)
        result.title = self.call("Runtime.evaluate", {"expression": "document.title", "returnByValue": True},
                                 session=session)["result"].get("value", "")
        result.text = self.call("Runtime.evaluate", {"expression": "document.body.innerText",
                                                     "returnByValue": True},
                                session=session)["result"].get("value", "")
        if screenshot is not None:
            data = self.call("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
            screenshot.write_bytes(base64.b64decode(data))
            result.screenshot = screenshot
        urls = {}
        for event in (e for e in self._events if e.get("sessionId") == session):
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                urls[params["requestId"]] = params["request"]["url"]
                result.requests.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                result.failed.append(f"{urls.get(params['requestId'], '?')}: {params.get('errorText')}")
            elif method == "Network.responseReceived" and params["response"].get("status", 200) >= 400:
                result.failed.append(f"{params['response']['url']}: HTTP {params['response']['status']}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                result.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                      for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                result.console_errors.append(details.get("exception", {}).get("description")
                                             or details.get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                result.console_errors.append(f"{entry.get('text')} ({entry.get('url', '')})")
        self._events = [e for e in self._events if e.get("sessionId") != session]
        self.call("Target.closeTarget", {"targetId": target})
        return result


def assert_offline_clean(load: PageLoad) -> None:
    """The page loaded with no failed request, no console error, and nothing but file:// and data: URLs."""
    assert load.failed == [], load.failed
    assert load.console_errors == [], load.console_errors
    assert load.requests and all(u.startswith(("file://", "data:")) for u in load.requests), load.requests
