#!/usr/bin/python3
"""Drives Talkshop's staff dashboard in headless Chromium and checks its charts on a screenshot.

Usage: staff_page.py --url http://127.0.0.1:PORT/staff --token TOKEN --screenshot FILE

Scenarios, each printed as one JSON line on stdout for the Swift test to check:
  bad-token: a token that is not a staff member's: the page says so and shows no figures;
  dashboard: the operator's token: the figures load; a screenshot of the whole page is taken and
             decoded again, and for each chart the share of its area that is not background
             ("inked") is measured on the screenshot, next to the marks the page drew.
Needs python3-websockets and chromium (scripts/setup.sh installs both).
"""
import argparse, asyncio, base64, json

from devtools import chromium, report

# Counts, on the screenshot decoded by the browser itself, the pixels of each chart's box that
# are not the page's white background.
INKED = """
async (png, boxes) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const inked = {};
  for (const [name, box] of Object.entries(boxes)) {
    const pixels = context.getImageData(box.x, box.y, box.width, box.height).data;
    let count = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 235 || pixels[i + 1] < 235 || pixels[i + 2] < 235) count++;
    inked[name] = count / (box.width * box.height);
  }
  return inked;
}
"""

CHARTS = """
Object.fromEntries([...document.querySelectorAll("figure[data-chart]")].map((figure) => {
  const svg = figure.querySelector("svg"), box = svg.getBoundingClientRect();
  return [figure.dataset.chart, {marks: Number(svg.dataset.marks || 0), box: {
    x: Math.round(box.left + scrollX), y: Math.round(box.top + scrollY), width: Math.round(box.width), height: Math.round(box.height)}}];
}))
"""


async def submit(page, token):
    await page.evaluate("document.getElementById('token').value = %s; document.getElementById('ask').requestSubmit(); true" % json.dumps(token))


async def main(args):
    async with chromium() as browser:
        page = await browser.open(args.url, width=1000, height=1900, mobile=False)
        await page.wait_for("document.body && document.body.dataset.ready === 'true'", "the page's script")

        await submit(page, "tss_not_a_token")
        status = await page.wait_for(
            "document.body.dataset.loaded === 'false' && document.getElementById('status').textContent", "the refusal")
        report(scenario="bad-token", status=status, figures_hidden=await page.evaluate("document.getElementById('figures').hidden"))

        await page.evaluate("document.getElementById('since').value = '30d'; true")
        await submit(page, args.token)
        await page.wait_for("document.body.dataset.loaded === 'true'", "the figures")
        charts = await page.evaluate(CHARTS)
        shot = await page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(args.screenshot, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
        inked = await page.evaluate("(%s)(%s, %s)" % (INKED, json.dumps(shot["data"]), json.dumps({k: v["box"] for k, v in charts.items()})))
        tiles = await page.evaluate(
            "Object.fromEntries(['conversations', 'fcr', 'handover', 'turns'].map((id) => [id, document.getElementById(id).textContent]))")
        report(scenario="dashboard", charts={name: {"marks": chart["marks"], "inked": inked[name]} for name, chart in charts.items()},
               tiles=tiles, status=await page.evaluate("document.getElementById('status').textContent"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True, help="an operator's staff token")
    parser.add_argument("--screenshot", required=True, help="where to write the dashboard's PNG")
    asyncio.run(main(parser.parse_args()))
