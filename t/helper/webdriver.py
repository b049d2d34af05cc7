#!/usr/bin/env python3
"""webdriver.py: drive headless Chromium through chromedriver's WebDriver
HTTP API (W3C), for the dashboard's browser test (t/t5212-dashboard.sh).
Python 3 standard library only.

    webdriver.py [-size WxH] [-timeout S] [-console FILE] [-spki B64] URL
                 STEP...

Starts chromedriver on a free loopback port and Chromium (--headless=new,
--no-sandbox, a temporary profile), opens URL, then runs the steps in
order; each wait gives up after -timeout seconds (default 20).  With
-spki, Chromium trusts a TLS server whose key has that SHA-256 (base64 of
the SPKI's hash, as curl's --pinnedpubkey), and no other self-signed one:

    wait CSS          until an element matches CSS
    gone CSS          until none does
    text CSS REGEX    until the first match's text matches REGEX (re.search)
    click CSS         click the first match (waits for it)
    type CSS TEXT     type TEXT into the first match (waits for it)
    eval JS REGEX     until String(the expression JS) matches REGEX
    show JS           print String(the expression JS) (a measurement)
    shot PATH         a PNG of the whole page
    clean             no console error so far (a CSP refusal is one;
                      a failed load, such as an expected 404, is not)

Prints one line per step; exits 1 at the first failing step (the page's
console in -console FILE either way), 2 on a usage error, 77 when chromium
or chromedriver is missing.
"""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
ARITY = {"wait": 1, "gone": 1, "text": 2, "click": 1, "type": 2,
         "eval": 2, "show": 1, "shot": 1, "clean": 0}


class Failed(Exception):
    pass


class Stop(Exception):
    """A Failed that until() must not retry."""
    pass


class Driver:
    def __init__(self, timeout):
        self.timeout = timeout
        self.proc = None
        self.base = None
        self.sid = None
        self.tried = []
        self.profile = tempfile.mkdtemp(prefix="webdriver.")

    def spawn(self, chromedriver):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        self.tried.append(port)
        self.log = os.path.join(self.profile, "chromedriver.log")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [chromedriver, "--port=%d" % port,
                 "--allowed-ips=127.0.0.1"],
                stdout=log, stderr=log)
        self.base = "http://127.0.0.1:%d" % port
        end = time.time() + max(self.timeout, 60.0)
        while True:
            try:
                if self.call("GET", "/status")["ready"]:
                    return True
            except (OSError, Failed, KeyError):
                pass
            if time.time() > end or self.proc.poll() is not None:
                if self.proc.poll() is None:
                    self.proc.kill()
                self.proc.wait()
                return False
            time.sleep(0.1)

    def start(self, chromium, chromedriver, size, spki=None):
        # A port picked here may be taken before chromedriver binds it,
        # and a loaded machine starts it slowly: three tries, a minute.
        for attempt in range(3):
            if self.spawn(chromedriver):
                break
            if attempt == 2:
                with open(self.log, errors="replace") as log:
                    tail = log.read()[-500:]
                raise Failed("chromedriver did not start (3 tries, "
                             "ports %s): %s" % (self.tried, tail))
        w, h = size
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--no-first-run",
                         "--no-default-browser-check",
                         "--disable-extensions", "--disable-sync",
                         "--disable-background-networking",
                         "--user-data-dir=" + self.profile,
                         "--window-size=%d,%d" % (w, h)] +
                (["--ignore-certificate-errors-spki-list=" + spki]
                 if spki else [])}}}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                ans = json.load(r)
        except urllib.error.HTTPError as e:
            try:
                v = json.load(e).get("value", {})
                msg = "%s: %s" % (v.get("error"), v.get("message", "")
                                  .split("\n")[0])
            except ValueError:
                msg = str(e)
            raise Failed("%s %s: %s" % (method, path, msg))
        return ans.get("value")

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.sid, path), body)

    def find(self, css):
        v = self.s("POST", "/elements", {"using": "css selector",
                                         "value": css})
        return [e[ELEMENT] for e in v]

    def until(self, what, fn):
        end = time.time() + self.timeout
        last = None
        while True:
            try:
                v = fn()
                if v:
                    return v
            except Failed as e:
                last = e
            if time.time() > end:
                raise Failed("timed out after %ss waiting for %s%s" % (
                    self.timeout, what, "" if last is None else
                    " (%s)" % last))
            time.sleep(0.2)

    def text(self, eid):
        return self.s("GET", "/element/%s/text" % eid)

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script,
                                                "args": list(args)})

    def shot(self, path):
        # The whole page: the window as tall as the document first.
        h = self.js("return document.documentElement.scrollHeight;")
        rect = self.s("GET", "/window/rect")
        self.s("POST", "/window/rect", {"width": rect["width"],
                                        "height": max(int(h), 400)})
        # The window is the viewport and the browser's frame: add that.
        inner = self.js("return window.innerHeight;")
        if inner < h:
            self.s("POST", "/window/rect", {"width": rect["width"],
                                            "height": 2 * h - inner})
        self.js("window.scrollTo(0, 0);")
        time.sleep(0.5)  # a redraw of the chart at the new size
        png = base64.b64decode(self.s("GET", "/screenshot"))
        if png[:8] != b"\x89PNG\r\n\x1a\n":
            raise Failed("the screenshot is not a PNG")
        with open(path, "wb") as f:
            f.write(png)
        return len(png)

    def console(self):
        try:
            return self.s("POST", "/se/log", {"type": "browser"}) or []
        except Failed:
            return []

    def stop(self):
        if self.sid is not None:
            try:
                self.s("DELETE", "")
            except (Failed, OSError):
                pass
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def usage(msg):
    sys.stderr.write("webdriver.py: %s\nusage: webdriver.py [-size WxH] "
                     "[-timeout S] [-console FILE] URL STEP...\n" % msg)
    sys.exit(2)


def parse(argv):
    size, timeout, console, spki = (1280, 900), 20.0, None, None
    while argv and argv[0].startswith("-"):
        if len(argv) < 2:
            usage("%s needs a value" % argv[0])
        o, v = argv[0], argv[1]
        argv = argv[2:]
        if o == "-size":
            m = re.fullmatch(r"(\d{2,5})x(\d{2,5})", v)
            if not m:
                usage("-size: want WxH, not %r" % v)
            size = (int(m.group(1)), int(m.group(2)))
        elif o == "-timeout":
            timeout = float(v)
        elif o == "-console":
            console = v
        elif o == "-spki":
            if not re.fullmatch(r"[A-Za-z0-9+/]{43}=", v):
                usage("-spki: want the base64 of a SHA-256, not %r" % v)
            spki = v
        else:
            usage("unknown flag %s" % o)
    if not argv:
        usage("no URL")
    url, argv = argv[0], argv[1:]
    steps = []
    while argv:
        op = argv[0]
        if op not in ARITY:
            usage("unknown step %r" % op)
        n = ARITY[op]
        if len(argv) < n + 1:
            usage("%s needs %d argument(s)" % (op, n))
        steps.append((op, argv[1:n + 1]))
        argv = argv[n + 1:]
    return size, timeout, console, spki, url, steps


def redact(text):
    """No cookie in the test's output: the page's URL carries one."""
    return re.sub(r"token=[0-9A-Fa-f]+", "token=...", str(text))


def severe(entries):
    # A 404 from an API the hub does not have yet (users, events) is a
    # "Failed to load resource" the page expects; anything else counts.
    return [e for e in entries if e.get("level") == "SEVERE" and
            "Failed to load resource" not in e.get("message", "")]


def main(argv):
    size, timeout, console, spki, url, steps = parse(argv)
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    chromedriver = os.environ.get("CHROMEDRIVER") or \
        shutil.which("chromedriver")
    if not chromium or not chromedriver:
        sys.stderr.write("webdriver.py: needs chromium and chromedriver "
                         "(Debian: chromium chromium-driver)\n")
        return 77
    d = Driver(timeout)
    logs = []
    rc = 0
    try:
        d.start(chromium, chromedriver, size, spki)
        d.s("POST", "/url", {"url": url})
        print("open %s" % redact(url))
        for op, a in steps:
            if op == "wait":
                d.until(a[0], lambda: d.find(a[0]))
            elif op == "gone":
                d.until("no " + a[0], lambda: not d.find(a[0]))
            elif op == "text":
                rx = re.compile(a[1])

                def match():
                    e = d.find(a[0])
                    return e and rx.search(d.text(e[0]))
                d.until("%s to read /%s/" % (a[0], a[1]), match)
            elif op == "click":
                # The page redraws its rows (a poll, an event): an element
                # found may be gone by the click.  Find it again then; any
                # other error stands (a click is never sent twice).
                def click():
                    e = d.find(a[0])
                    if not e:
                        return False
                    try:
                        d.s("POST", "/element/%s/click" % e[0], {})
                    except Failed as x:
                        if "stale element" in str(x):
                            return False
                        raise Stop(x)
                    return True
                try:
                    d.until(a[0] + " to click", click)
                except Stop as x:
                    raise x.args[0]
            elif op == "type":
                e = d.until(a[0], lambda: d.find(a[0]))
                d.s("POST", "/element/%s/value" % e[0], {"text": a[1]})
                a = [a[0], "(%d characters)" % len(a[1])]
            elif op == "eval":
                rx = re.compile(a[1])
                d.until("%s to be /%s/" % (a[0], a[1]), lambda: rx.search(
                    str(d.js("return String(%s);" % a[0]))))
            elif op == "show":
                a = [a[0], "=", redact(d.js("return String(%s);" % a[0]))]
            elif op == "shot":
                a = [a[0], "%d bytes" % d.shot(a[0])]
            elif op == "clean":
                logs += d.console()
                bad = severe(logs)
                if bad:
                    raise Failed("console errors: " + "; ".join(
                        e.get("message", "?") for e in bad))
            print("ok %s %s" % (op, " ".join(a)))
    except Failed as e:
        print("FAILED: %s" % redact(e))
        rc = 1
    finally:
        if d.sid is not None:
            logs += d.console()
        if console:
            with open(console, "w") as f:
                for e in logs:
                    f.write("%s %s\n" % (e.get("level"),
                                          redact(e.get("message"))))
        d.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
