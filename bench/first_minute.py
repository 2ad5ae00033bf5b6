"""The first minute of a new seller, measured in a real browser: forms, fields typed, seconds.

    .venv/bin/python bench/first_minute.py [--runs 3] [--pace human|machine] [--server URL]

Starts the marketplace on a free 127.0.0.1 port with a fresh SQLite database in a temporary folder
(or uses ``--server``), then drives the system's Chromium through Playwright from the home page: "Open a
store", the one form (email, password, store name), the first-product form (title, a photo, price, stock,
a suggested category), to the live product page. Counts the forms submitted, the fields typed and the
characters, and times the journey from landing on the home page to the product page.

``--pace machine`` types and clicks as fast as the browser goes: the time the site itself costs.
``--pace human`` (the default) adds a modelled person: 300 ms a character (40 words a minute), 1.5 s to read
each field's label before typing, 4 s to pick a photo and 2 s to look at the category suggestions. It is a
model, not a measurement of people. Prints one JSON line per pace with the median of the runs. Runs are
bounded in count and by an overall deadline.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_SECONDS = 600
MAX_RUNS = 20
CHARACTER_SECONDS = 0.3
READ_LABEL_SECONDS = 1.5
PICK_PHOTO_SECONDS = 4.0
LOOK_AT_SUGGESTIONS_SECONDS = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "JISHI_VAR_DIR": folder, "REDIS_URL": ""}
    env.pop("DATABASE_URL", None)  # the embedded default: SQLite in the scratch folder
    jishi = [sys.executable, "-m", "jishi.cli"]
    subprocess.run([*jishi, "manage", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    port = free_port()
    server = subprocess.Popen([*jishi, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310  (our own server on the loopback)
            return server, url
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def photo(folder: str) -> str:
    from PIL import Image

    path = Path(folder) / "photo.png"
    out = io.BytesIO()
    Image.new("RGB", (800, 800), "teal").save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def journey(browser, url: str, picture: str, *, human: bool) -> dict:
    """One new seller from the home page to their live product; returns the counts and the seconds."""
    context = browser.new_context(base_url=url, locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    counts = {"forms": 0, "fields_typed": 0, "characters_typed": 0, "files_picked": 0, "clicks_to_choose": 0}

    def pause(seconds: float) -> None:
        if human:
            page.wait_for_timeout(seconds * 1000)

    def type_into(locator, text: str) -> None:
        pause(READ_LABEL_SECONDS)
        locator.click()
        locator.press_sequentially(text, delay=CHARACTER_SECONDS * 1000 if human else 0)
        counts["fields_typed"] += 1
        counts["characters_typed"] += len(text)

    started = time.monotonic()
    page.goto("/")
    page.get_by_role("link", name="Open a store").first.click()
    type_into(page.locator("#id_email"), f"seller-{uuid.uuid4().hex[:8]}@example.com")
    type_into(page.locator("#id_password"), "lantern-river-42")
    type_into(page.locator("#id_name"), "Mei's Kitchen")
    with page.expect_navigation():
        page.get_by_role("button", name="Open my store").click()
    counts["forms"] += 1
    page.wait_for_url("**/products/add/")
    type_into(page.locator("#id_title"), "Cotton T-shirt")
    pause(PICK_PHOTO_SECONDS)
    page.locator("#id_photos").set_input_files(picture)
    counts["files_picked"] += 1
    type_into(page.locator("#id_price"), "19.99")
    page.locator("#id_stock").fill("")
    type_into(page.locator("#id_stock"), "25")
    pause(LOOK_AT_SUGGESTIONS_SECONDS)
    page.locator("[data-pick-category]").first.click()
    counts["clicks_to_choose"] += 1
    with page.expect_navigation():
        page.get_by_role("button", name="Put it on sale").click()
    counts["forms"] += 1
    page.wait_for_url("**/p/*/")
    page.locator("h1").wait_for()
    seconds = time.monotonic() - started
    context.close()
    return {**counts, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pace", choices=["human", "machine", "both"], default="both")
    parser.add_argument("--server", default="", help="an already running marketplace (default: start one)")
    args = parser.parse_args()
    runs = max(1, min(args.runs, MAX_RUNS))
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium not found; install Debian's chromium to run this benchmark")
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + DEADLINE_SECONDS
    with tempfile.TemporaryDirectory() as folder:
        server, url = (None, args.server.rstrip("/")) if args.server else start_server(folder)
        try:
            picture = photo(folder)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium)
                journey(browser, url, picture, human=False)  # warm-up: first requests load dictionaries
                for pace in (["machine", "human"] if args.pace == "both" else [args.pace]):
                    results = []
                    for _run in range(runs):
                        if time.monotonic() > deadline:
                            break
                        results.append(journey(browser, url, picture, human=pace == "human"))
                    seconds = [r["seconds"] for r in results]
                    print(json.dumps({
                        "bench": "first_minute", "pace": pace, "runs": len(results),
                        **{k: v for k, v in results[-1].items() if k != "seconds"},
                        "seconds_median": round(statistics.median(seconds), 2),
                        "seconds_max": round(max(seconds), 2), "goal_forms": 2, "goal_fields_typed": 6,
                        "goal_seconds": 60}), flush=True)
                browser.close()
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)


if __name__ == "__main__":
    main()
