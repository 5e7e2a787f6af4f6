"""Headless Chromium over the DevTools protocol, for the page tests (try_page.py, staff_page.py)."""
import asyncio, base64, contextlib, json, os, re, shutil, subprocess, sys, tempfile, time
import websockets


class Page:
    """One tab, attached with a flat session on the browser's DevTools socket."""

    def __init__(self, browser, session):
        self.browser, self.session = browser, session

    async def send(self, method, **params):
        return await self.browser.send(method, session=self.session, **params)

    async def evaluate(self, expression):
        result = await self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError("page script failed: %s" % result["exceptionDetails"].get("text"))
        return result["result"].get("value")

    async def wait_for(self, expression, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = await self.evaluate(expression)
            except RuntimeError:  # the page is still loading
                value = None
            if value:
                return value
            await asyncio.sleep(0.05)
        state = await self.evaluate("document.body.innerText")
        raise RuntimeError("timed out waiting for %s; the page shows:\n%s" % (what, state))

    async def key(self, kind, key, code):
        await self.send("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                        windowsVirtualKeyCode=32 if key == " " else 13, text=" " if kind == "keyDown" and key == " " else "")

    async def screenshot(self, directory, name):
        if not directory:
            return
        data = (await self.send("Page.captureScreenshot", format="png"))["data"]
        with open(os.path.join(directory, name + ".png"), "wb") as file:
            file.write(base64.b64decode(data))

    async def type_and_send(self, text):
        await self.evaluate("document.getElementById('message').value = %s" % json.dumps(text))
        await self.evaluate("document.getElementById('send').click()")


class Browser:
    def __init__(self, socket):
        self.socket, self.next_id, self.pending = socket, 0, {}
        self.reader = asyncio.ensure_future(self.read())

    async def read(self):
        async for raw in self.socket:
            message = json.loads(raw)
            future = self.pending.pop(message.get("id"), None)
            if future and not future.done():
                future.set_result(message)

    async def send(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.socket.send(json.dumps(message))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise RuntimeError("%s: %s" % (method, reply["error"]))
        return reply.get("result", {})

    async def open(self, url, before_load=None, width=420, height=900, mobile=True):
        target = (await self.send("Target.createTarget", url="about:blank"))["targetId"]
        session = (await self.send("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
        page = Page(self, session)
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        await page.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)
        if before_load:
            await page.send("Page.addScriptToEvaluateOnNewDocument", source=before_load)
        await page.send("Page.navigate", url=url)
        return page


def launch(profile, flags=()):
    """Starts headless Chromium with `flags`; returns the process and its DevTools endpoint."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        sys.exit("chromium is not installed: run scripts/setup.sh")
    process = subprocess.Popen([
        executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--mute-audio",
        "--remote-debugging-port=0", "--user-data-dir=" + profile, *flags, "about:blank",
    ], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"DevTools listening on (ws://\S+)", line)
        if found:
            return process, found.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    sys.exit("chromium did not start its DevTools endpoint")


def report(**fields):
    print(json.dumps(fields), flush=True)


@contextlib.asynccontextmanager
async def chromium(flags=()):
    """Headless Chromium with a profile of its own for the length of the block; yields a Browser."""
    profile = tempfile.mkdtemp(prefix="talkshop-chromium-")
    process, endpoint = launch(profile, flags)
    try:
        async with websockets.connect(endpoint, max_size=None) as socket:
            yield Browser(socket)
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(profile, ignore_errors=True)
