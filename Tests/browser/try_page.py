#!/usr/bin/python3
"""Drives Talkshop's try page in headless Chromium over the DevTools protocol.

Usage: try_page.py --url http://127.0.0.1:PORT/try --speech latte.wav --screenshots DIR

The fake microphone plays --speech once (Chromium's --use-file-for-fake-audio-capture).
Scenarios, each printed as one JSON line on stdout for the Swift test to check:
  voice:  hold the talk button with the keyboard while the file plays, release, wait for the
          intent and the cart;
  resume: then the socket is dropped; the page reconnects and the conversation (cart) continues;
  confirm: check out by typing, confirm with the button, see the order paid;
  chat:   a second tab, microphone denied: the message shows, and a whole order by typing;
  pcm:    a third tab without WebCodecs: the same spoken order sent as 16 kHz PCM.
Needs python3-websockets and chromium (scripts/setup.sh installs both).
"""
import argparse, asyncio, os

from devtools import chromium, report


async def speak(page, args):
    """Push to talk with the keyboard: focus the button, hold Space while the file plays, and
    let go --hold seconds into the file. The fake microphone plays the file from the moment the
    page opens it, which on a busy machine can be a while after the key went down, so the hold
    is counted from there (the page notes when it opened the microphone)."""
    await page.evaluate("document.getElementById('talk').focus()")
    await page.key("keyDown", " ", "Space")
    await page.wait_for("document.getElementById('talk').getAttribute('aria-pressed') === 'true'", "the talk button to be held")
    left = await page.evaluate("state.microphoneOpenedAt + %f - performance.now()" % (args.hold * 1000))
    await asyncio.sleep(max(0.0, left / 1000))
    await page.key("keyUp", " ", "Space")
    intent = await page.wait_for("document.getElementById('intent').dataset.intent", "the intent")
    latency = int(await page.wait_for("document.getElementById('latency').dataset.milliseconds", "the latency"))
    return intent, latency


async def voice_order(browser, args):
    page = await browser.open(args.url)
    codec = await page.wait_for("document.body.dataset.codec", "the page to choose a codec")
    await page.wait_for("document.getElementById('connection').textContent.startsWith('Connected')", "the connection")
    await page.screenshot(args.screenshots, "1-connected")
    intent, latency = await speak(page, args)
    cart = await page.wait_for(
        "document.querySelector('#cart tbody tr:not(.empty)') && document.getElementById('cart').innerText", "the cart")
    transcript = await page.evaluate("document.getElementById('transcript').textContent")
    await page.screenshot(args.screenshots, "2-recognised")
    report(scenario="voice", codec=codec, intent=intent, transcript=transcript, cart=cart, release_to_intent_ms=latency)

    # The connection drops mid-order: the page reconnects and resumes the conversation, cart and all.
    conversation = await page.evaluate("state.conversationId")
    await page.evaluate("state.socket.close()")
    await page.wait_for("document.getElementById('connection').textContent.startsWith('Connection lost')", "the lost-connection message", 5)
    await page.wait_for("document.getElementById('connection').textContent.startsWith('Connected')", "the reconnection")
    resumed = await page.evaluate("state.conversationId")
    cart_after = await page.wait_for(
        "document.querySelector('#cart tbody tr:not(.empty)') && document.getElementById('cart').innerText", "the cart after resuming")
    report(scenario="resume", same_conversation=(resumed == conversation), cart_kept=(cart_after == cart),
           notice=await page.evaluate("[...document.querySelectorAll('#log li')].map(li => li.textContent).pop()"))

    await page.type_and_send("check out")
    readback = await page.wait_for(
        "!document.getElementById('confirm').hidden && document.getElementById('readback').textContent", "the read-back")
    await page.screenshot(args.screenshots, "3-read-back")
    await page.evaluate("document.getElementById('yes').click()")
    status = await page.wait_for(
        "[...document.querySelectorAll('#orders li[data-status]')].map(li => li.dataset.status).find(s => s === 'paid' || s === 'preparing')",
        "the order to be paid")
    await page.screenshot(args.screenshots, "4-order-placed")
    report(scenario="confirm", readback=readback, status=status)


async def typed_order(browser, args):
    # What a browser does when the person refuses the microphone (the fake-device flags
    # would otherwise grant it).
    deny = ("navigator.mediaDevices.getUserMedia = () => "
            "Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));")
    page = await browser.open(args.url, before_load=deny)
    await page.wait_for("document.getElementById('connection').textContent.startsWith('Connected')", "the connection")
    await page.evaluate("document.getElementById('talk').focus()")
    await page.key("keyDown", " ", "Space")
    denied = await page.wait_for("!document.getElementById('microphone').hidden && document.getElementById('microphone').textContent",
                                 "the denied-microphone message")
    await page.key("keyUp", " ", "Space")
    await page.screenshot(args.screenshots, "5-microphone-denied")
    await page.type_and_send("i'd like a small mocha")
    cart = await page.wait_for("document.querySelector('#cart tbody tr:not(.empty)') && document.getElementById('cart').innerText", "the cart")
    await page.type_and_send("check out")
    await page.wait_for("!document.getElementById('confirm').hidden", "the read-back")
    await page.evaluate("document.getElementById('yes').click()")
    status = await page.wait_for(
        "[...document.querySelectorAll('#orders li[data-status]')].map(li => li.dataset.status).find(s => s === 'paid' || s === 'preparing')",
        "the typed order to be paid")
    await page.screenshot(args.screenshots, "6-typed-order")
    report(scenario="chat", denied=denied, cart=cart, status=status)


async def pcm_fallback(browser, args):
    # A browser without WebCodecs: the page sends 16 kHz PCM from its AudioWorklet instead.
    page = await browser.open(args.url, before_load="delete window.AudioEncoder; delete window.AudioData;")
    codec = await page.wait_for("document.body.dataset.codec", "the page to choose a codec")
    await page.wait_for("document.getElementById('connection').textContent.startsWith('Connected')", "the connection")
    intent, latency = await speak(page, args)
    report(scenario="pcm", codec=codec, intent=intent, transcript=await page.evaluate("document.getElementById('transcript').textContent"),
           release_to_intent_ms=latency)


async def main(args):
    async with chromium([
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--use-file-for-fake-audio-capture=%s%%noloop" % args.speech, "--autoplay-policy=no-user-gesture-required",
    ]) as browser:
        await voice_order(browser, args)
        await typed_order(browser, args)
        await pcm_fallback(browser, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--speech", required=True, help="WAV file the fake microphone plays")
    parser.add_argument("--hold", type=float, default=4.0, help="seconds into the file at which the talk button is let go")
    parser.add_argument("--screenshots", help="directory for PNG screenshots of the main states")
    arguments = parser.parse_args()
    if arguments.screenshots:
        os.makedirs(arguments.screenshots, exist_ok=True)
    asyncio.run(main(arguments))
