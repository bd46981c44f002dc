"""The monthly infrastructure meeting prepared from the bundled example: its forecast crossing
(the images pool) and its skills gaps are listed, and each item is filed as an issue in a small
GitHub-compatible issues API written here; the next month the same issues are updated, none
opened twice."""
import json
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import requests

from conftest import ADMIN, BINARY, EXAMPLE, Server


class Tracker:
    """GitHub's issues API as far as Almanac uses it: list open issues by label, open one, edit one."""

    def __init__(self, token):
        self.issues, self.calls = {}, []
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def authorised(self):
                if self.headers.get("Authorization") != f"Bearer {token}":
                    self.answer(401, {"message": "Bad credentials"})
                    return False
                return True

            def body(self):
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def do_GET(self):
                url = urlparse(self.path)
                tracker.calls.append(("GET", url.path))
                if not self.authorised():
                    return
                label = parse_qs(url.query)["labels"][0]
                self.answer(200, [i for i in tracker.issues.values() if i["state"] == "open" and label in i["labels"]])

            def do_POST(self):
                tracker.calls.append(("POST", self.path))
                if not self.authorised():
                    return
                body = self.body()
                number = len(tracker.issues) + 1
                tracker.issues[number] = {"number": number, "title": body["title"], "body": body["body"], "labels": body["labels"], "state": "open"}
                self.answer(201, tracker.issues[number])

            def do_PATCH(self):
                tracker.calls.append(("PATCH", self.path))
                if not self.authorised():
                    return
                number = int(self.path.rsplit("/", 1)[1])
                tracker.issues[number].update(self.body())
                self.answer(200, tracker.issues[number])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.api = f"http://127.0.0.1:{self.server.server_address[1]}/repos/openfoodfacts/infrastructure"


def test_the_meeting_from_the_example_and_its_issues_filed_then_updated(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config, ignore=shutil.ignore_patterns(".example-*"))
    data = workdir / "data"
    server = Server(config, data).start()  # a first start imports the example's history
    server.stop()
    common = ["--config", str(config), "--data", str(data)]

    markdown = subprocess.run([str(BINARY), "report", "meeting", "--month", "2026-11", "--format", "markdown"] + common,
                              capture_output=True, text=True)
    assert markdown.returncode == 0, markdown.stderr
    text = markdown.stdout
    crossings = text.split("## Forecast crossings in the coming months")[1].split("##")[0]
    assert re.search(r'images: node_filesystem_avail_bytes\{[^}]*mountpoint="/zfs-hdd"\} reaches 1T around 20\d\d-\d\d-\d\d', crossings), text
    skills = text.split("## Skills gaps on critical services")[1].split("##")[0]
    assert "**search (critical-for-others)**: too few people can fix elasticsearch (1 person)" in skills, text

    tracker = Tracker("s3cret")
    (config / "meeting.yaml").write_text(f"tracker: {{api: '{tracker.api}', token_env: TRACKER_TOKEN, label: infrastructure-meeting}}\n")
    env = {"TRACKER_TOKEN": "s3cret", "PATH": "/usr/bin:/bin"}
    items = json.loads(subprocess.run([str(BINARY), "report", "meeting", "--month", "2026-11", "--format", "json"] + common,
                                      capture_output=True, text=True).stdout)["items"]
    first = subprocess.run([str(BINARY), "report", "meeting", "--month", "2026-11", "--file-issues"] + common,
                           capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    assert f"{len(items)} opened, 0 updated" in first.stderr, first.stderr
    numbers = {i["title"]: n for n, i in tracker.issues.items()}
    assert all("Prepared for the infrastructure meeting of 2026-11" in i["body"] for i in tracker.issues.values())

    second = subprocess.run([str(BINARY), "report", "meeting", "--month", "2026-12", "--file-issues"] + common,
                            capture_output=True, text=True, env=env)
    assert second.returncode == 0, second.stderr
    assert f"0 opened, {len(items)} updated" in second.stderr, second.stderr
    assert len(tracker.issues) == len(items), "no issue opened twice"
    assert {i["title"]: n for n, i in tracker.issues.items()} == numbers
    assert all("Prepared for the infrastructure meeting of 2026-12" in i["body"] for i in tracker.issues.values())

    # The page shows the same agenda.
    server = Server(config, data).start()
    try:
        page = requests.get(server.url + "/meeting", headers=ADMIN, timeout=30).text
        assert "<h2>Skills gaps on critical services</h2>" in page and "too few people can fix elasticsearch (1 person)" in page, page
        assert re.search(r'node_filesystem_avail_bytes\{[^}]*mountpoint=&quot;/zfs-hdd&quot;\} reaches 1T', page), page
    finally:
        server.stop()

    wrong = subprocess.run([str(BINARY), "report", "meeting", "--file-issues"] + common, capture_output=True, text=True,
                           env={"TRACKER_TOKEN": "nope", "PATH": "/usr/bin:/bin"})
    assert wrong.returncode != 0 and "HTTP 401" in wrong.stderr, wrong.stderr
