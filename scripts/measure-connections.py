#!/usr/bin/python3
"""Server memory per idle connection and per active stream.

Opens N idle /v1/voice sessions (each sends `start`, then nothing), reads the server's
resident memory before and after; then streams one fixture on M sessions at once in real time
and reads the peak. Usage:

    scripts/measure-connections.py --pid PID --token TOKEN [--url ws://127.0.0.1:8080/v1/voice]
        [--idle 200] [--active 10] [--audio audio-fixtures/large-latte.l16]

Needs python3-websockets (scripts/setup.sh installs it).
"""
import argparse, asyncio, json, time
import websockets


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS for pid %s" % pid)


async def open_idle(url, token, count):
    sockets = []
    for _ in range(count):
        ws = await websockets.connect(url, extra_headers={"Authorization": "Bearer " + token}, max_size=None)
        await ws.send(json.dumps({"type": "start", "codec": "pcm-s16le", "sample_rate": 16000}))
        await ws.recv()  # ready
        await ws.recv()  # listening
        sockets.append(ws)
    return sockets


async def stream(url, token, audio):
    async with websockets.connect(url, extra_headers={"Authorization": "Bearer " + token}) as ws:
        await ws.send(json.dumps({"type": "start", "codec": "pcm-s16le", "sample_rate": 16000}))
        start = time.monotonic()
        for index in range(0, len(audio), 640):
            await ws.send(audio[index:index + 640])
            await asyncio.sleep(max(0, start + (index // 640 + 1) * 0.02 - time.monotonic()))
        await ws.send(json.dumps({"type": "end_of_speech"}))
        while json.loads(await ws.recv())["type"] not in ("intent", "rejected", "error"):
            pass


async def main(args):
    audio = open(args.audio, "rb").read()
    base = rss_kib(args.pid)
    sockets = await open_idle(args.url, args.token, args.idle)
    await asyncio.sleep(1)
    idle = rss_kib(args.pid)
    print(f"idle: {args.idle} sessions, server RSS {base} → {idle} KiB: {(idle - base) / args.idle:.1f} KiB per idle session")
    for ws in sockets:
        await ws.close()
    await asyncio.sleep(1)
    before = rss_kib(args.pid)
    peak = before
    task = asyncio.gather(*(stream(args.url, args.token, audio) for _ in range(args.active)))
    while not task.done():
        peak = max(peak, rss_kib(args.pid))
        await asyncio.sleep(0.05)
    await task
    print(f"active: {args.active} real-time streams, server RSS {before} → peak {peak} KiB: "
          f"{(peak - before) / args.active:.1f} KiB per active stream")


parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--pid", type=int, required=True)
parser.add_argument("--token", required=True)
parser.add_argument("--url", default="ws://127.0.0.1:8080/v1/voice")
parser.add_argument("--idle", type=int, default=200)
parser.add_argument("--active", type=int, default=10)
parser.add_argument("--audio", default="audio-fixtures/large-latte.l16")
asyncio.run(main(parser.parse_args()))
