"""Open the built sites in a real headless Chromium, with the network cut, and report.

Chromium is driven over the Chrome DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON
messages separated by NUL bytes on file descriptors 3 and 4), so nothing but the standard
library and Debian's `chromium` package is needed: no Selenium, no driver binary, no port.

The network is cut three ways: every host resolves to nothing (`--host-resolver-rules`), every
request goes to a proxy on a closed local port, and DevTools' network emulation is offline. Every
request the page makes is recorded, so a report can prove that nothing left file://.

For each page the report holds: console errors and uncaught exceptions, every requested URL, the
charts with their state (`tegnet`/`fejl`) and how many marks each drew, the navigation links,
the time from navigation to the last chart drawn (`window.boligmonitor.drawnAt`), and a full-page
screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_VAR = "BOLIGMONITOR_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--window-size=1280,900",
    "--lang=da-DK",
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")

# What a page reports about itself once drawn (see dashboards/site.py).
_PAGE_STATE = """(() => {
  const figures = Array.from(document.querySelectorAll('figure[data-spec]')).map(f => {
    const svg = f.querySelector('.bm-canvas svg');
    const marks = svg ? svg.querySelectorAll('g.role-mark > *').length : 0;
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const csv = f.querySelector('a.bm-csv');
    return {id: f.id, state: f.dataset.state || null, marks: marks,
            width: box.width, height: box.height, csv: csv ? csv.href : null};
  });
  const nav = Array.from(document.querySelectorAll('nav a[href]')).map(a => a.href);
  const nav_ = performance.getEntriesByType('navigation')[0];
  return {
    charts: document.documentElement.dataset.charts || null,
    drawnAt: window.boligmonitor ? window.boligmonitor.drawnAt : null,
    loadEventEnd: nav_ ? nav_.loadEventEnd : null,
    title: document.title, href: location.href, figures: figures, nav: nav,
    text: document.body.innerText
  };
})()"""


class BrowserError(RuntimeError):
    """Chromium is missing or did not answer; the message says what to do (Danish)."""


def find_chromium() -> str | None:
    override = os.environ.get(CHROMIUM_VAR)
    if override:
        return override
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class FigureReport:
    id: str
    state: str | None
    marks: int
    width: float
    height: float
    csv: str | None

    @property
    def drawn(self) -> bool:
        return self.state == "tegnet" and self.marks > 0 and self.width > 0 and self.height > 0


@dataclass
class PageReport:
    path: Path
    charts: str | None  # "tegnet", "fejl" or None (never finished)
    drawn_ms: float | None  # navigation start to the last chart drawn
    load_ms: float | None
    wall_ms: float  # navigation command to "drawn", measured from Python
    figures: list[FigureReport]
    nav: list[str]
    requests: list[str]
    console_errors: list[str]
    text: str
    screenshot: Path | None = None

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]

    @property
    def problems(self) -> list[str]:
        """Everything wrong with the page, in Danish; empty when it is fine."""
        found = []
        if self.charts != "tegnet":
            found.append(f"siden blev ikke færdigtegnet (status {self.charts!r})")
        found += [f"konsolfejl: {e}" for e in self.console_errors]
        found += [f"forespørgsel ud af file://: {u}" for u in self.external_requests]
        for f in self.figures:
            if not f.drawn:
                found.append(
                    f"diagrammet {f.id} er ikke tegnet (status {f.state!r}, {f.marks} mærker, "
                    f"{f.width:.0f}x{f.height:.0f} px)"
                )
        return found


@dataclass
class _Connection:
    process: subprocess.Popen[bytes]
    write_fd: int
    read_fd: int
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    replies: dict[int, queue.Queue[dict[str, Any]]] = field(default_factory=dict)
    next_id: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Browser:
    """One headless Chromium with a fresh profile; use as a context manager."""

    def __init__(self, executable: str | None = None, timeout: float = 60.0) -> None:
        found = executable or find_chromium()
        if not found:
            raise BrowserError(
                "Chromium findes ikke på maskinen. Installér Debians pakke: "
                "apt-get install -y chromium (eller sæt BOLIGMONITOR_CHROMIUM)."
            )
        self.executable = found
        self.timeout = timeout
        self._profile = Path(tempfile.mkdtemp(prefix="boligmonitor-chromium-"))
        self._conn: _Connection | None = None
        self._session: str | None = None

    # -- process and protocol --

    def __enter__(self) -> Browser:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()

        def plumbing() -> None:  # in the child: the protocol wants fds 3 (in) and 4 (out)
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [
            self.executable,
            *FLAGS,
            f"--user-data-dir={self._profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=plumbing,
            start_new_session=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._conn = _Connection(process, to_child_w, from_child_r)
        threading.Thread(target=self._read, daemon=True).start()
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        target_id = (
            page["targetId"]
            if page
            else self.send("Target.createTarget", url="about:blank")["targetId"]
        )
        attached = self.send("Target.attachToTarget", targetId=target_id, flatten=True)
        self._session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)
        self.send(
            "Network.emulateNetworkConditions",
            session=True,
            offline=True,
            latency=0,
            downloadThroughput=-1,
            uploadThroughput=-1,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                self.send("Browser.close", timeout=5)
            try:
                conn.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                conn.process.kill()
                conn.process.wait()
            for fd in (conn.write_fd, conn.read_fd):
                with contextlib.suppress(OSError):
                    os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    def _read(self) -> None:
        conn = self._conn
        assert conn is not None
        buffer = b""
        while True:
            try:
                chunk = os.read(conn.read_fd, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with conn.lock:
                        waiting = conn.replies.get(message["id"])
                    if waiting is not None:
                        waiting.put(message)
                else:
                    conn.events.put(message)

    def send(
        self, method: str, *, session: bool = False, timeout: float | None = None, **params: Any
    ) -> dict[str, Any]:
        conn = self._conn
        if conn is None:
            raise BrowserError("Chromium er ikke startet.")
        with conn.lock:
            conn.next_id += 1
            message_id = conn.next_id
            reply: queue.Queue[dict[str, Any]] = queue.Queue()
            conn.replies[message_id] = reply
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(conn.write_fd, json.dumps(message).encode() + b"\0")
        try:
            answer = reply.get(timeout=timeout or self.timeout)
        except queue.Empty:
            raise BrowserError(f"Chromium svarede ikke på {method} inden for tiden.") from None
        finally:
            with conn.lock:
                conn.replies.pop(message_id, None)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def _drain(self) -> list[dict[str, Any]]:
        conn = self._conn
        assert conn is not None
        out = []
        while True:
            try:
                out.append(conn.events.get_nowait())
            except queue.Empty:
                return out

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript-fejl: {result['exceptionDetails']}")
        return result["result"].get("value")

    # -- pages --

    def open(self, page: Path, screenshot: Path | None = None, wait: float = 30.0) -> PageReport:
        """Load a page from disk, wait until its charts are drawn (or failed), and report."""
        url = Path(page).resolve().as_uri()
        self._drain()
        started = time.perf_counter()
        self.send("Page.navigate", session=True, url=url)
        events: list[dict[str, Any]] = []
        deadline = started + wait
        state: dict[str, Any] = {}
        loaded = False
        while time.perf_counter() < deadline:
            events += self._drain()
            loaded = loaded or any(e.get("method") == "Page.loadEventFired" for e in events)
            if loaded:
                state = self.evaluate(_PAGE_STATE) or {}
                if state.get("href") == url and state.get("charts"):
                    break
            time.sleep(0.02)
        wall = (time.perf_counter() - started) * 1000
        time.sleep(0.05)
        events += self._drain()
        if not state:
            state = self.evaluate(_PAGE_STATE) or {}
        shot = self._screenshot(screenshot) if screenshot else None
        return PageReport(
            path=Path(page),
            charts=state.get("charts"),
            drawn_ms=state.get("drawnAt"),
            load_ms=state.get("loadEventEnd"),
            wall_ms=wall,
            figures=[FigureReport(**f) for f in state.get("figures", [])],
            nav=list(state.get("nav", [])),
            requests=_requests(events),
            console_errors=_errors(events),
            text=str(state.get("text", "")),
            screenshot=shot,
        )

    def click_and_wait(self, selector: str, wait: float = 15.0) -> str:
        """Click the first element matching `selector`; return the URL loaded after it."""
        self._drain()
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        deadline = time.perf_counter() + wait
        while time.perf_counter() < deadline:
            if any(e.get("method") == "Page.loadEventFired" for e in self._drain()):
                return str(self.evaluate("location.href"))
            time.sleep(0.02)
        raise BrowserError(f"Klik på {selector} indlæste ingen ny side.")

    def _screenshot(self, path: Path) -> Path:
        metrics = self.send("Page.getLayoutMetrics", session=True)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width, height = min(int(size["width"]), 1600), min(int(size["height"]), 12000)
        shot = self.send(
            "Page.captureScreenshot",
            session=True,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


def _requests(events: list[dict[str, Any]]) -> list[str]:
    return [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
    ]


def _errors(events: list[dict[str, Any]]) -> list[str]:
    found = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            found.append(
                " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            found.append(
                str(details.get("exception", {}).get("description") or details.get("text"))
            )
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            found.append(f"{entry.get('text')} ({entry.get('url', '')})")
    return found


@contextlib.contextmanager
def chromium(executable: str | None = None) -> Iterator[Browser]:
    with Browser(executable) as browser:
        yield browser


def check_site(folder: Path, screenshots: Path | None = None) -> list[PageReport]:
    """Open every page of a built site (the *.html files in `folder`) and report on each."""
    pages = sorted(Path(folder).glob("*.html"), key=lambda p: (p.name != "index.html", p.name))
    reports = []
    with chromium() as browser:
        for page in pages:
            shot = screenshots / f"{Path(folder).name}-{page.stem}.png" if screenshots else None
            reports.append(browser.open(page, shot))
    return reports
