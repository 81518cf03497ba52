"""Drive Debian's headless Chromium over the DevTools protocol, for the tests.

End-to-end tests of the web server's HTML forms use it to load a page the way
a person's browser would, optionally click a button (a real mouse click, so
the browser itself submits the form) and report what the browser ended up
showing. It starts /usr/bin/chromium headless in a fresh temporary profile,
which is removed afterwards, and always kills the browser on exit.

    browser.py --url URL [--click CSS_SELECTOR] [--accept-language LANG]
               [--screenshot FILE.png] [--dump FILE.html] [--timeout SECONDS]

Prints one JSON object to stdout: url, status (HTTP status of the final
main-document response), lang, dir, title, text (body's innerText) and method
(HTTP method of the last main-document request). Exits 1 with a message on
stderr on time-out, when the selector matches nothing, or on any other failure.
Needs only the standard library and websocket-client.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class Failure(Exception):
    pass


class CDP:
    """A DevTools connection to one page target; buffers events, tracks the main document."""

    def __init__(self, ws_url, deadline, timeout):
        self.deadline, self.timeout = deadline, timeout
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.main_frame = None
        self.status = None
        self.method = None

    def _recv(self, waiting_for):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise Failure(f"timed out after {self.timeout:g}s waiting for {waiting_for}")
        self.ws.settimeout(remaining)
        try:
            msg = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            raise Failure(f"timed out after {self.timeout:g}s waiting for {waiting_for}") from None
        if "method" in msg:
            self._note(msg)
        return msg

    def _note(self, event):
        params = event.get("params", {})
        main = params.get("type") == "Document" and params.get("frameId") == self.main_frame
        if event["method"] == "Network.requestWillBeSent" and main:
            self.method = params["request"]["method"]
        elif event["method"] == "Network.responseReceived" and main:
            self.status = params["response"]["status"]
        self.events.append(event)

    def send(self, method, waiting_for=None, **params):
        self.next_id += 1
        msg_id = self.next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = self._recv(waiting_for or f"the answer to {method}")
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise Failure(f"{method} failed: {msg['error'].get('message')}")
                return msg.get("result", {})

    def wait_for(self, method, waiting_for):
        """Wait for an event that arrived after the last events.clear()."""
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    del self.events[: i + 1]
                    return event
            self._recv(waiting_for)


def start_chromium(profile):
    log = open(os.path.join(profile, "chromium.log"), "wb")
    return subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--no-default-browser-check", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        start_new_session=True)  # its own process group, so all its children die with it


def devtools_port(proc, profile, deadline, timeout):
    port_file = os.path.join(profile, "DevToolsActivePort")
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            with open(os.path.join(profile, "chromium.log"), errors="replace") as f:
                tail = f.read()[-2000:]
            raise Failure(f"chromium exited with code {proc.returncode}:\n{tail}")
        try:
            with open(port_file) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            time.sleep(0.05)
    raise Failure(f"timed out after {timeout:g}s waiting for chromium's DevToolsActivePort")


def page_ws_url(port):
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(f"{base}/json/list", timeout=10) as r:
        pages = [t for t in json.load(r) if t.get("type") == "page"]
    if pages:
        return pages[0]["webSocketDebuggerUrl"]
    request = urllib.request.Request(f"{base}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.load(r)["webSocketDebuggerUrl"]


def click(cdp, selector):
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    try:
        node = cdp.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
    except Failure as e:
        raise Failure(f"bad selector {selector!r}: {e}") from None
    if not node:
        where = cdp.send("Runtime.evaluate", expression="location.href")["result"]["value"]
        raise Failure(f"selector {selector!r} matches no element on {where}")
    cdp.send("DOM.scrollIntoViewIfNeeded", nodeId=node)
    quad = cdp.send("DOM.getBoxModel", nodeId=node)["model"]["border"]
    x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
    cdp.events.clear()
    cdp.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    for kind in ("mousePressed", "mouseReleased"):
        cdp.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
    cdp.wait_for("Page.loadEventFired", f"the page loaded by clicking {selector!r}")


PAGE_STATE = """({url: location.href, lang: document.documentElement.lang,
  dir: document.documentElement.dir, title: document.title,
  text: document.body ? document.body.innerText : "",
  html: document.documentElement.outerHTML})"""


def run(args, profile):
    deadline = time.monotonic() + args.timeout
    proc = start_chromium(profile)
    try:
        port = devtools_port(proc, profile, deadline, args.timeout)
        cdp = CDP(page_ws_url(port), deadline, args.timeout)
        cdp.main_frame = cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
        cdp.send("Page.enable")
        cdp.send("Network.enable")
        if args.accept_language:
            cdp.send("Network.setExtraHTTPHeaders", headers={"Accept-Language": args.accept_language})
        cdp.events.clear()
        nav = cdp.send("Page.navigate", f"{args.url} to load", url=args.url)
        if nav.get("errorText"):
            raise Failure(f"could not load {args.url}: {nav['errorText']}")
        cdp.wait_for("Page.loadEventFired", f"{args.url} to load")
        if args.click:
            click(cdp, args.click)
        if args.screenshot:
            png = cdp.send("Page.captureScreenshot", format="png")["data"]
            with open(args.screenshot, "wb") as f:
                f.write(base64.b64decode(png))
        state = cdp.send("Runtime.evaluate", expression=PAGE_STATE, returnByValue=True)["result"]["value"]
        if args.dump:
            with open(args.dump, "w", encoding="utf-8") as f:
                f.write(state["html"])
        cdp.ws.close()
        return {"url": state["url"], "status": cdp.status, "lang": state["lang"], "dir": state["dir"],
                "title": state["title"], "text": state["text"], "method": cdp.method}
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--click", metavar="CSS_SELECTOR")
    parser.add_argument("--accept-language", metavar="LANG")
    parser.add_argument("--screenshot", metavar="FILE.png")
    parser.add_argument("--dump", metavar="FILE.html")
    parser.add_argument("--timeout", type=float, default=30, metavar="SECONDS")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the clean-up below still runs
    profile = tempfile.mkdtemp(prefix="browser-py-")
    try:
        result = run(args, profile)
    except (Failure, OSError, websocket.WebSocketException) as e:
        print(f"browser.py: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
