#!/usr/bin/env python3
# The dashboard in a real browser (issue 16): headless chromium against the
# built `spate serve` on 127.0.0.1, over a scratch data directory holding a
# stream, a scoring job and generated transactions with anomalies.
#
# Checks, as a user would see them:
#   1. the server-rendered overview (chromium --dump-dom) lists the stream and the job;
#   2. the job page's charts have drawn data points;
#   3. an alert inserted into the catalog after the page loaded appears on the
#      overview without a reload (the page polls every 2 s);
#   4. pressing its Acknowledge button changes the alert's state in the catalog;
#   5. the overview's stream chart gets data points live, once the metrics
#      service has sampled the stream (about a minute after the server starts);
#   6. the page survives the server restarting (no reload; it reconnects);
# and saves screenshots of every page (1280x800, dark mode, phone width)
# under the scratch directory.
#
# Driven through the Chrome DevTools protocol over --remote-debugging-port
# with a minimal websocket client written here (standard library only).
#
# usage: dashboard_browser_test.py --spate PATH --scratch DIR [--chromium PATH]
# Exit status: 0 passed, 1 failed, 77 skipped (no chromium; the reason is printed).

import argparse, base64, json, os, shutil, socket, sqlite3, struct, subprocess, sys, tempfile, time, urllib.parse, urllib.request

SKIP = 77


def log(message):
    print("dashboard browser test: " + message, flush=True)


class WebSocket:
    """Just enough of RFC 6455 for CDP: a client, text frames, masking, 64-bit lengths."""

    def __init__(self, url):
        assert url.startswith("ws://")
        host_port, path = url[5:].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("websocket handshake: connection closed")
            response += chunk
        if b" 101 " not in response.split(b"\r\n", 1)[0]:
            raise RuntimeError("websocket handshake refused: " + response.split(b"\r\n", 1)[0].decode())
        self.buffer = response.split(b"\r\n\r\n", 1)[1]

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("websocket closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise RuntimeError("websocket closed by the browser")
            if opcode in (0x9, 0xA):
                continue
            message += payload
            if first & 0x80:
                return message.decode()


# Chromium's temporary files (the folder of its singleton socket,
# org.chromium.Chromium.*, which it leaves in /tmp when it is killed) go to a
# folder of this run's, removed at the end. It is made directly in the system's
# temporary directory, not in --scratch: the socket's path must stay under the
# 108 bytes a Unix socket's path may have.
CHROMIUM_TMP = None


def chromium_command(chromium, scratch, profile, *arguments):
    """A headless chromium's command line and environment: its profile in
    scratch/`profile`, its temporary files in CHROMIUM_TMP."""
    global CHROMIUM_TMP
    if CHROMIUM_TMP is None:
        CHROMIUM_TMP = tempfile.mkdtemp(prefix="spate-chromium-")
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--user-data-dir=" + os.path.join(scratch, profile), *arguments]
    return command, dict(os.environ, TMPDIR=CHROMIUM_TMP)


class Browser:
    """Headless chromium with one page, driven over CDP."""

    def __init__(self, chromium, scratch):
        self.port = free_port()
        command, environment = chromium_command(chromium, scratch, "chromium-profile", "--window-size=1280,800",
                                                f"--remote-debugging-port={self.port}", "--remote-allow-origins=*", "about:blank")
        self.process = subprocess.Popen(command, env=environment,
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(scratch, "chromium.log"), "w"))
        targets = wait_for(lambda: json.load(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2)),
                           30, "chromium's DevTools endpoint")
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url):
        self.call("Page.navigate", url=url)
        time.sleep(0.3)
        wait_for(lambda: self.evaluate("document.readyState === 'complete' && location.href") == url, 20, "load " + url)

    def screenshot(self, path, width=1280, height=800, dark=False):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=width < 600)
        self.call("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])
        time.sleep(0.3)
        with open(path, "wb") as out:
            out.write(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        page_width = self.evaluate("document.documentElement.scrollWidth")
        self.call("Emulation.clearDeviceMetricsOverride")
        return page_width

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds, what):
    deadline = time.time() + seconds
    last_error = None
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # not ready yet: retry until the deadline
            last_error = error
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    log("ok: " + message)


def spate(binary, data, *arguments, stdin=None):
    return subprocess.run([binary, "--data", data, *arguments], input=stdin, capture_output=True, check=True).stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spate", required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args()
    if not args.chromium:
        log("SKIPPED: chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
        return SKIP
    scratch = os.path.abspath(args.scratch)
    os.makedirs(scratch, exist_ok=True)
    data = os.path.join(scratch, "data")

    spate(args.spate, data, "-c", """
        CREATE STREAM transactions (userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING, timestamp TIMESTAMP)
          WITH (shards = 2, key = 'userId');
        CREATE JOB scores AS
          SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score
          FROM transactions SINCE EARLIEST WHERE anomaly;
        CREATE ALARM many_anomalies ON METRIC job.anomalies WHERE job = 'scores'
          STATISTIC SUM PERIOD 1 MINUTE WHEN > 3 FOR 1 OF 1 PERIODS;
        """)
    server_log = open(os.path.join(scratch, "serve.log"), "w+")
    listen = f"127.0.0.1:{free_port()}"
    start_server = lambda: subprocess.Popen([args.spate, "--data", data, "serve", "--listen", listen],
                                            stdout=server_log, stderr=subprocess.STDOUT)
    server = start_server()
    browser = None
    base = "http://" + listen
    try:
        def answers():
            return urllib.request.urlopen(base + "/healthz", timeout=2).status == 200
        wait_for(answers, 30, "spate serve to listen")
        # Data arrives after the server started: its metrics service books the stream's records a minute later.
        transactions = subprocess.run([args.spate, "generate", "transactions", "--count", "20000", "--users", "10", "--anomalies", "0.005"],
                                      capture_output=True, check=True).stdout
        spate(args.spate, data, "put", "transactions", stdin=transactions)
        jobs = lambda: json.load(urllib.request.urlopen(base + "/api/jobs", timeout=5))["jobs"]
        wait_for(lambda: jobs()[0]["recordsIn"] >= 20000, 60, "the job to read the records")
        catalog = sqlite3.connect(os.path.join(data, "catalog.sqlite"), timeout=10)
        alerts_before = catalog.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
        check(alerts_before > 0, f"the job raised alerts from the generated anomalies ({alerts_before})")

        command, environment = chromium_command(args.chromium, scratch, "chromium-dump-profile", "--dump-dom", base + "/")
        dom = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60).stdout
        with open(os.path.join(scratch, "overview.html"), "w") as out:
            out.write(dom)
        check('data-name="transactions"' in dom, "the overview (--dump-dom) lists the stream")
        check('<a href="/jobs/scores">scores</a>' in dom, "the overview (--dump-dom) lists the job")
        check('many_anomalies <span class="badge' in dom, "the overview (--dump-dom) shows the alarm's state badge")
        command, environment = chromium_command(args.chromium, scratch, "chromium-shot-profile", "--window-size=1280,800",
                                                "--screenshot=" + os.path.join(scratch, "overview-cli.png"), base + "/")
        subprocess.run(command, env=environment, capture_output=True, timeout=60)

        browser = Browser(args.chromium, scratch)
        browser.open(base + "/jobs/scores")
        points = browser.evaluate("Array.from(document.querySelectorAll('svg.chart')).map(s => Number(s.dataset.points))")
        check(len(points) == 5 and points[0] > 0, f"the job page's charts (4 metrics, 1 score) have data points ({points})")
        check(browser.evaluate("document.querySelectorAll('svg.chart polyline, svg.chart circle').length") > 0, "the job page drew lines")
        score_points = browser.evaluate("Number(document.querySelector('[data-chart=scores] svg').dataset.points)")
        marks = browser.evaluate("document.querySelectorAll('[data-chart=scores] rect.mark').length")
        check(score_points > 0 and marks > 0, f"the score chart has points ({score_points}) and flagged minutes shaded ({marks})")
        keys = browser.evaluate("Array.from(document.querySelectorAll('select[name=key] option')).map(o => o.value)")
        check(len(keys) > 1, f"the key chooser offers the alerted keys ({len(keys)})")
        browser.screenshot(os.path.join(scratch, "job.png"))
        # Choosing another key reloads the page with that key's score.
        browser.evaluate("(() => { const s = document.querySelector('select[name=key]'); s.value = s.options[1].value;"
                         " s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()")
        wait_for(lambda: ("key=" + urllib.parse.quote(keys[1], safe="")) in browser.evaluate("location.href"), 10,
                 "the key chooser to load the other key")
        browser.screenshot(os.path.join(scratch, "job-other-key.png"))

        browser.open(base + "/")
        browser.screenshot(os.path.join(scratch, "overview.png"))
        now_ms = int(time.time() * 1000)
        cursor = catalog.execute("""
            INSERT INTO alerts (job, source, kind, key, score, row_json, created_at, explanation)
            VALUES ('scores', 'scores', 'job', 'browser-test-user', 99.5, '{"userId":"browser-test-user","amount":12345}', ?,
                    '{"detector":"ANOMALY_SCORE","grade":0.9999,"inputs":[{"input":"amount","observed":12345,"expected":75}]}')""", (now_ms,))
        catalog.commit()
        alert_id = cursor.lastrowid
        row = f'tr[data-id="{alert_id}"]'
        wait_for(lambda: browser.evaluate(f"!!document.querySelector('#alerts {row}')"), 15, "the new alert on the open page")
        check(browser.evaluate("performance.getEntriesByType('navigation').length") == 1 and
              browser.evaluate(f"document.querySelector('#alerts {row}').textContent.includes('browser-test-user')"),
              f"alert {alert_id}, inserted after the page loaded, appeared without a reload")
        browser.evaluate(f"document.querySelector('{row} button[data-action=\"ack\"]').click()")
        state = lambda: catalog.execute("SELECT state FROM alerts WHERE id = ?", (alert_id,)).fetchone()[0]
        wait_for(lambda: state() == "acknowledged", 10, "the alert's state in the catalog")
        check(state() == "acknowledged", "Acknowledge changed the alert's state in the catalog")
        wait_for(lambda: browser.evaluate(f"document.querySelector('{row} .badge').textContent") == "acknowledged", 10, "the page to show it")
        check(True, "the page shows the alert acknowledged")

        for name, path in [("alerts", "/alerts"), ("alarms", "/alarms")]:
            browser.open(base + path)
            browser.screenshot(os.path.join(scratch, name + ".png"))
        browser.open(base + "/")
        browser.screenshot(os.path.join(scratch, "overview-dark.png"), dark=True)
        phone_width = browser.screenshot(os.path.join(scratch, "overview-phone.png"), width=390, height=844)
        check(phone_width <= 390, f"the overview fits a 390 px wide phone without sideways scrolling ({phone_width} px)")
        stream_points = "Number(document.querySelector('[data-chart=\"records:transactions\"] svg').dataset.points)"
        wait_for(lambda: browser.evaluate(stream_points) > 0, 150, "the stream chart's first data point (metrics sampled each minute)")
        check(True, "the overview's records/s chart got data points without a reload")
        browser.screenshot(os.path.join(scratch, "overview-live.png"))

        # The page outlives the server: it says so while the server is down and carries on once it is back.
        server.terminate()
        server.wait(timeout=30)
        status = "document.getElementById('live').textContent"
        wait_for(lambda: "unreachable" in browser.evaluate(status), 15, "the page to notice the server is down")
        browser.screenshot(os.path.join(scratch, "overview-server-down.png"))
        server = start_server()
        wait_for(answers, 30, "spate serve to listen again")
        wait_for(lambda: browser.evaluate(status).startswith("live"), 15, "the page to reconnect")
        check(browser.evaluate("performance.getEntriesByType('navigation').length") == 1,
              "the page survived a server restart without a reload")
        log("screenshots in " + scratch)
        return 0
    except AssertionError as failure:
        log("FAILED: " + str(failure))
        server_log.seek(0)
        log("spate serve said:\n" + server_log.read()[-2000:])
        return 1
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(timeout=30)
        if CHROMIUM_TMP:
            shutil.rmtree(CHROMIUM_TMP, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
