"""On call from the config repository: the iCalendar feeds parse with the Python `icalendar`
package and list the shifts the rotation says (Mondays 09:00 in Paris, ana and bob in turn, a
Christmas override), the person's feed only theirs, and who is on call now agrees with the
feed; a mistake in the file names its file, line and field."""
import datetime
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import icalendar
import requests

from conftest import ADMIN, BINARY, Server, monitoring_config

PARIS = ZoneInfo("Europe/Paris")
CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: infra}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ana}
spec: {memberOf: [infra]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {memberOf: [infra]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: cy}
spec: {memberOf: [infra], availability: weekends}
"""
ROTATION = """rotations:
  - name: infra
    team: infra
    zone: Europe/Paris
    layers:
      - {name: primary, people: [ana, bob], start: "2026-01-05T09:00", handoff: 1w}
    overrides:
      - {person: cy, start: "OVERRIDE_START", end: "OVERRIDE_END", reason: "a day swapped"}
"""


def events(text):
    calendar = icalendar.Calendar.from_ical(text)
    return [(str(e["SUMMARY"]), e.decoded("DTSTART"), e.decoded("DTEND")) for e in calendar.walk("VEVENT")]


def same_shifts(a, b):
    """Two readings of one feed: the first shift starts where the feed's window does, at the
    moment it was read, so only its start may differ (a second ticked between the reads)."""
    return len(a) == len(b) and a[1:] == b[1:] and a and (a[0][0], a[0][2]) == (b[0][0], b[0][2]) \
        and abs((a[0][1] - b[0][1]).total_seconds()) < 60


def test_calendar_feeds_list_the_rotations_shifts(workdir):
    # The override is a day starting next Wednesday 09:00, Paris time, so the feed's window holds it whatever the date.
    today = datetime.datetime.now(PARIS).date()
    wednesday = today + datetime.timedelta(days=(2 - today.weekday()) % 7 + 7)
    override_start = datetime.datetime.combine(wednesday, datetime.time(9), PARIS)
    override_end = override_start + datetime.timedelta(days=1)
    rotation = ROTATION.replace("OVERRIDE_START", override_start.strftime("%Y-%m-%dT%H:%M")).replace(
        "OVERRIDE_END", override_end.strftime("%Y-%m-%dT%H:%M"))
    config = monitoring_config(workdir, "jobs: []\n")
    (config / "catalog").mkdir()
    (config / "catalog" / "people.yaml").write_text(CATALOG)
    (config / "oncall").mkdir()
    (config / "oncall" / "infra.yaml").write_text(rotation)
    server = Server(config, workdir / "data").start()
    try:
        feed = requests.get(server.url + "/oncall/infra/calendar.ics", headers=ADMIN, timeout=10)
        assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
        shifts = events(feed.text)
        assert len(shifts) >= 16, shifts
        regular = [s for s in shifts if "override" not in s[0]]
        for summary, start, end in regular:
            local_start, local_end = start.astimezone(PARIS), end.astimezone(PARIS)
            # A whole turn starts and ends on Monday 09:00 Paris time; the override cuts one in two.
            assert (local_start.weekday(), local_start.hour) == (0, 9) or (local_end.weekday(), local_end.hour) == (0, 9) \
                or start == override_end or end == override_start, (summary, local_start, local_end)
        turns = [s for s in regular if s[1].astimezone(PARIS).weekday() == 0 and s[1].astimezone(PARIS).hour == 9]
        for (a, _, _), (b, _, _) in zip(turns, turns[1:]):
            assert {a.split()[2], b.split()[2]} == {"ana", "bob"}, (a, b)  # they alternate
        christmas = [s for s in shifts if "override" in s[0]]
        assert christmas == [("On call: cy (infra, primary), override", override_start, override_end)], christmas
        for (_, _, end), (_, start, _) in zip(shifts, shifts[1:]):
            assert end == start, "shifts follow each other with no gap"

        mine = events(requests.get(server.url + "/oncall/people/ana/calendar.ics", headers=ADMIN, timeout=10).text)
        assert mine and all("ana" in s[0] for s in mine) and len(mine) == len([s for s in shifts if "ana" in s[0]])

        now = requests.get(server.url + "/api/v1/oncall", headers=ADMIN, timeout=10).json()
        at = datetime.datetime.fromtimestamp(now["at"] / 1000, datetime.timezone.utc)
        holder = next(s for s in shifts if s[1] <= at < s[2])
        assert now["on_call"][0]["person"] in holder[0], (now, holder)
        page = requests.get(server.url + "/oncall", headers=ADMIN, timeout=10).text
        assert 'data-rotation="infra"' in page and "/oncall/infra/calendar.ics" in page

        assert requests.get(server.url + "/oncall/nope/calendar.ics", headers=ADMIN, timeout=10).status_code == 404
        # A secret link lets a calendar program read the rotation's feed without signing in.
        assert requests.get(server.url + "/oncall/infra/calendar.ics", timeout=10, allow_redirects=False).status_code in (401, 303)
        made = requests.post(server.url + "/oncall/calendar-links", data={"rotation": "infra", "person": ""}, headers=ADMIN, timeout=10)
        assert made.status_code == 201, made.text
        path = re.search(r'<code id="link">(/oncall/links/[^<]+/calendar\.ics)</code>', made.text).group(1)
        subscribed = requests.get(server.url + path, timeout=10)
        assert subscribed.status_code == 200 and same_shifts(events(subscribed.text), shifts), subscribed.text[:300]
        person = requests.post(server.url + "/oncall/calendar-links", data={"rotation": "", "person": "ana"}, headers=ADMIN, timeout=10)
        ana_path = re.search(r'<code id="link">([^<]+)</code>', person.text).group(1)
        assert same_shifts(events(requests.get(server.url + ana_path, timeout=10).text), mine)
        # Bad secrets learn nothing: wrong length, wrong characters, unknown, and revoked all get 401.
        secret = path.split("/")[3]
        for bad_path in ["/oncall/links/short/calendar.ics", f"/oncall/links/{'!' * 43}/calendar.ics",
                         f"/oncall/links/{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}/calendar.ics"]:
            answer = requests.get(server.url + bad_path, timeout=10)
            assert answer.status_code == 401 and answer.text == "not a calendar link\n", (bad_path, answer.status_code, answer.text)
        listed = requests.get(server.url + "/oncall", headers=ADMIN, timeout=10).text
        link_id = re.search(r'action="/oncall/calendar-links/(\d+)/revoke"', listed).group(1)
        revoked = requests.post(f"{server.url}/oncall/calendar-links/{link_id}/revoke", headers=ADMIN, allow_redirects=False, timeout=10)
        assert revoked.status_code == 303
        gone = [p for p in (path, ana_path) if requests.get(server.url + p, timeout=10).status_code == 401]
        assert len(gone) == 1, "exactly the revoked link stops working"
        # The failures count against the address as failed sign-ins do: after ten, 429 even for a good link.
        for _ in range(10):
            requests.get(server.url + "/oncall/links/short/calendar.ics", timeout=10)
        working = ana_path if gone == [path] else path
        throttled = requests.get(server.url + working, timeout=10)
        assert throttled.status_code == 429 and "Retry-After" in throttled.headers, throttled.status_code
    finally:
        server.stop()

    middle = (override_start + datetime.timedelta(hours=12)).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    cli = subprocess.run([str(BINARY), "oncall", "who", "--at", middle, "--config", str(config), "--format", "json"],
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert '"person" : "cy"' in cli.stdout or '"person": "cy"' in cli.stdout, cli.stdout

    (config / "oncall" / "infra.yaml").write_text(ROTATION.replace("people: [ana, bob]", "people: [ana, dan]"))
    bad = subprocess.run([str(BINARY), "oncall", "who", "--config", str(config)], capture_output=True, text=True)
    assert bad.returncode == 1 and "oncall/infra.yaml:6: rotations[0].layers[0].people[1]: 'dan' is not a User of the catalogue" in bad.stderr, bad.stderr
    shutil.rmtree(config / "oncall")
