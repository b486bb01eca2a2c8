#!/usr/bin/python3
"""Drives lockerd's kiosk page in Debian's headless Chromium, as a courier and a resident would:
a deposit (courier login, tracking number, size, door open, parcel in, door closed, pickup code
shown) and then a pickup with that code, in one language, tapping the page's buttons; or, with
--flow lockout, a guesser's wrong codes until the keypad locks.

The browser is reached over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages ending in NUL on descriptors 3 and 4), so no port is opened and no library is needed
beyond Python's own. The cabinet's hands (putting the parcel in, closing the door) are
`lockerctl sim` lines. Screenshots go to --screenshots; the result is one JSON object on stdout.
The browser is always stopped, whatever happens.
"""
import argparse, base64, fcntl, json, os, select, shutil, signal, subprocess, sys, tempfile, time


class Chromium:
    """A headless Chromium with one page, spoken to over the DevTools pipe."""

    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="kiosk-chromium-")
        pipes = os.pipe() + os.pipe()
        # Above 4, so that placing them on 3 and 4 in the child cannot overwrite one another.
        to_read, self.commands, self.answers, from_write = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in pipes]
        for fd in pipes:
            os.close(fd)
        arguments = ["chromium", "--headless", "--no-sandbox", "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                     f"--window-size={width},{height}", "--no-first-run", "--disable-gpu", "--hide-scrollbars",
                     # Containers (CI) often have a small /dev/shm: Chromium then uses /tmp.
                     "--force-device-scale-factor=1", "--disable-dev-shm-usage", "about:blank"]
        actions = [(os.POSIX_SPAWN_DUP2, to_read, 3), (os.POSIX_SPAWN_DUP2, from_write, 4),
                   (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)]
        self.pid = os.posix_spawnp("chromium", arguments, os.environ, file_actions=actions, setpgroup=0)
        os.close(to_read)
        os.close(from_write)
        self.last_id = 0
        self.pending = b""
        self.session = None

    def call(self, method, **params):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.pending:
                # A browser that stops answering fails the run instead of hanging it.
                if not select.select([self.answers], [], [], 30)[0]:
                    raise RuntimeError(f"chromium did not answer {method} within 30 s")
                chunk = os.read(self.answers, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed its DevTools pipe")
                self.pending += chunk
            raw, self.pending = self.pending.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self.last_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def open_page(self, url):
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Page.navigate", url=url)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path):
        with open(path, "wb") as file:
            file.write(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def stop(self):
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            time.sleep(0.05)
        try:
            os.killpg(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        shutil.rmtree(self.profile, ignore_errors=True)


class Kiosk:
    """The page as a person sees it: what it shows, and its buttons to tap."""

    def __init__(self, browser, lockerctl, socket, screenshots, language):
        self.browser, self.lockerctl, self.socket = browser, lockerctl, socket
        self.screenshots, self.language = screenshots, language
        self.steps, self.shots = [], []

    def screen(self):
        return self.browser.evaluate("window.kioskScreen ? JSON.stringify(window.kioskScreen) : null")

    def wait(self, what, condition, seconds=20):
        """Polls the page until `condition(screen)` holds, with a deadline."""
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            raw = self.screen()
            last = json.loads(raw) if raw else None
            if last and condition(last):
                self.steps.append({"waited_for": what, "step": last["step"], "message": last["message"]["id"],
                                   "language": last["language"], "text": last["message"]["text"]})
                return last
            time.sleep(0.05)
        raise RuntimeError(f"the page never showed {what}; it shows {json.dumps(last, ensure_ascii=False)}")

    def tap(self, selector):
        """Taps the visible element `selector` at its centre, as a finger would (a mouse press there)."""
        box = self.browser.evaluate(f"""(() => {{
            const element = [...document.querySelectorAll({json.dumps(selector)})].find(e => e.offsetParent !== null);
            if (!element) return null;
            const r = element.getBoundingClientRect();
            return {{x: r.x + r.width / 2, y: r.y + r.height / 2, width: r.width, height: r.height}};
        }})()""")
        if box is None:
            raise RuntimeError(f"no visible {selector} on the page ({self.screen()})")
        # Large touch targets: every button the flows need is at least 64 px each way.
        if box["width"] < 64 or box["height"] < 64:
            raise RuntimeError(f"{selector} is only {box['width']}x{box['height']} px")
        for kind in ("mousePressed", "mouseReleased"):
            self.browser.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)

    def key(self, key):
        self.tap(f'[data-key="{key}"]')

    def type_digits(self, digits):
        for digit in digits:
            self.key(digit)

    def door_feedback(self, door, state):
        """Waits until the page's door box shows `door` in `state` (opening, open, closed)."""
        deadline = time.monotonic() + 20
        shown = None
        while time.monotonic() < deadline:
            shown = self.browser.evaluate("""(() => { const d = document.getElementById('door');
                return {hidden: d.hidden, state: d.dataset.state, label: document.getElementById('door-label').textContent}; })()""")
            if not shown["hidden"] and shown["state"] == state and shown["label"] == door:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the page never showed door {door} {state}; it shows {shown}")

    def shoot(self, name):
        # Every text must fit the screen it is shown on: no visible button's caption and no
        # message may overflow its box, in either language.
        overflowing = self.browser.evaluate("""[...document.querySelectorAll('button, #message, #code-value, #door')]
            .filter(e => e.offsetParent !== null && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1))
            .map(e => e.id || e.textContent)""")
        if overflowing:
            raise RuntimeError(f"{name}: text does not fit in {overflowing}")
        path = os.path.join(self.screenshots, f"kiosk-{self.language}-{name}.png")
        self.browser.screenshot(path)
        self.shots.append(path)

    def sim(self, line):
        run = subprocess.run([self.lockerctl, "--socket", self.socket, "sim", line], capture_output=True, text=True, timeout=30)
        if run.returncode != 0:
            raise RuntimeError(f"lockerctl sim {line}: {run.stderr}")

    def choose_language(self):
        """Taps the language button until the page speaks the language wanted (the last visitor's
        choice lasts until the panel has been quiet for a while, which the manual clock never is)."""
        for _ in range(4):
            shown = self.wait("the welcome", lambda s: s["step"] == "welcome")
            if shown["language"] == self.language:
                return
            self.tap("#language")
            self.wait("another language", lambda s: s["language"] != shown["language"])
        raise RuntimeError(f"the language button never gave {self.language}")

    def deposit(self, courier, pin, tracking):
        self.wait("the welcome", lambda s: s["step"] == "welcome")
        self.choose_language()
        self.shoot("welcome")
        self.key("menu")
        self.wait("the courier id prompt", lambda s: s["step"] == "courier_id")
        self.type_digits(courier)
        self.wait("the courier id typed", lambda s: s["typed"] == courier)
        self.key("enter")
        self.wait("the PIN prompt", lambda s: s["step"] == "courier_pin")
        self.type_digits(pin)
        self.wait("the PIN typed, masked", lambda s: s["typed"] == "•" * len(pin))
        self.key("enter")
        self.wait("the courier logged in", lambda s: s["step"] == "courier_ready" and s["language"] == self.language)
        self.type_digits(tracking)
        self.key("enter")
        self.wait("the size choice", lambda s: s["step"] == "choosing_size")
        self.shoot("size")
        self.tap('[data-size="S"]')
        # The simulated door springs open when its latch is pulsed; the page says so.
        opened = self.wait("the deposit door open", lambda s: s["message"]["id"] == "deposit_door_open")
        door = opened["message"]["arguments"]["label"]
        self.door_feedback(door, "open")
        self.shoot("door")
        self.sim(f"put {door}")
        self.sim(f"close {door}")
        committed = self.wait("the pickup code", lambda s: s["message"]["id"] == "deposit_committed")
        code = committed["message"]["pickupCode"]
        shown = self.browser.evaluate("document.getElementById('code-value').textContent")
        if shown != code:
            raise RuntimeError(f"the page shows the code {shown!r}, the feed says {code!r}")
        self.shoot("code")
        self.key("menu")
        self.wait("the courier logged out, back in the default language",
                  lambda s: s["step"] == "welcome" and s["language"] == "en")
        return door, code

    def pickup(self, door, code):
        self.choose_language()
        self.type_digits(code[:-1])
        self.wait("the code being typed, masked", lambda s: s["step"] == "pickup_code" and s["typed"] == "•" * (len(code) - 1))
        self.key(code[-1])
        self.wait("the pickup door open", lambda s: s["message"]["id"] == "pickup_door_open" and s["message"]["arguments"]["label"] == door)
        self.door_feedback(door, "open")
        self.shoot("pickup")
        self.sim(f"take {door}")
        self.sim(f"close {door}")
        self.wait("the pickup done", lambda s: s["message"]["id"] == "pickup_done")
        self.door_feedback(door, "closed")
        self.shoot("done")

    def guess_until_locked_out(self):
        """Types wrong codes as a guesser would, until the page says the keypad is locked."""
        self.wait("the welcome", lambda s: s["step"] == "welcome")
        self.choose_language()
        self.key("1")
        length = int(self.wait("a code being typed", lambda s: s["message"]["id"] == "code_progress")["message"]["arguments"]["length"])
        self.key("clear")
        for attempt in range(1, 21):
            self.wait("the welcome before a guess", lambda s: s["step"] == "welcome")
            # All but the last digit first, so that the answer waited for is this guess's.
            self.type_digits("0" * (length - 1))
            self.wait("a guess being typed", lambda s: s["step"] == "pickup_code" and len(s["typed"]) == length - 1)
            self.key("0")
            answer = self.wait("the answer to a wrong code",
                               lambda s: s["message"]["id"] in ("wrong_code", "keypad_locked_out"))
            if answer["message"]["id"] == "keypad_locked_out":
                self.shoot("lockout")
                return attempt
        raise RuntimeError("20 wrong codes and the keypad is not locked")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the kiosk page, e.g. http://127.0.0.1:8088/")
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--lockerctl", required=True)
    parser.add_argument("--socket", required=True, help="lockerd's maintenance socket")
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--language", default="en", choices=["en", "zh-Hans"])
    parser.add_argument("--courier", default="1001")
    parser.add_argument("--pin", default="4321")
    parser.add_argument("--tracking", default="773012345678")
    parser.add_argument("--size", default="1024x600")
    parser.add_argument("--flow", default="deposit-pickup", choices=["deposit-pickup", "lockout"],
                        help="a deposit and its pickup, or wrong codes until the keypad locks")
    options = parser.parse_args()
    # Stopped from outside (the test's deadline): leave through `finally`, which stops the browser.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    os.makedirs(options.screenshots, exist_ok=True)
    with open(options.token_file) as file:
        token = file.read().strip()
    width, height = (int(n) for n in options.size.split("x"))
    browser = Chromium(width, height)
    kiosk = Kiosk(browser, options.lockerctl, options.socket, options.screenshots, options.language)
    result = {"language": options.language}
    try:
        # The token travels in the fragment, as the kiosk unit's start page sends it: never in a request line.
        browser.open_page(options.url + "#token=" + token)
        if options.flow == "lockout":
            result.update(attempts=kiosk.guess_until_locked_out(), ok=True)
        else:
            door, code = kiosk.deposit(options.courier, options.pin, options.tracking)
            kiosk.pickup(door, code)
            result.update(door=door, code=code, ok=True)
    except Exception as error:  # reported in the result: the test prints it with the steps so far
        result.update(ok=False, error=str(error))
        try:
            kiosk.shoot("failure")
        except Exception:
            pass
    finally:
        browser.stop()
    result.update(steps=kiosk.steps, screenshots=kiosk.shots)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
