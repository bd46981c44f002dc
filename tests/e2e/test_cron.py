"""Cron semantics against Healthchecks' own parser, cronsim (PyPI): 5,000 random expressions
(lists, ranges, steps, names, day of month and day of week together, `L`, `LW`, `5L`, `MON#2`,
some malformed) in UTC, Europe/Paris and America/New_York, from starting points spread over
2026-2027 and gathered around every daylight-saving change: the next 50 fire times, or the
refusal, are the same. The `30 2 * * *` job in Paris on the spring-forward and fall-back
nights behaves as cronsim says."""
import json
import random
import subprocess
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

from conftest import BINARY

ZONES = ["UTC", "Europe/Paris", "America/New_York"]
# The daylight-saving changes of 2026 and 2027 (UTC instants).
CHANGES = {
    "Europe/Paris": ["2026-03-29T01:00", "2026-10-25T01:00", "2027-03-28T01:00", "2027-10-31T01:00"],
    "America/New_York": ["2026-03-08T07:00", "2026-11-01T06:00", "2027-03-14T07:00", "2027-11-07T06:00"],
}
FIXED = ["30 2 * * *", "0 2 * * *", "59 1 * * *", "0 3 * * *", "0 * * * *", "*/15 * * * *", "30 1 * * *", "0 0-3 * * *",
         "15,45 1,2 * * *", "0 2 * * SUN", "0 */2 * * *", "30 2 L * *", "0 1 * * 0L"]


def field(rng, low, high, names=None):
    roll = rng.random()
    value = lambda: rng.randint(low, high)  # noqa: E731
    if roll < 0.25:
        return "*"
    if roll < 0.4:
        return str(value())
    if roll < 0.5 and names:
        return rng.choice(names)
    if roll < 0.62:
        a = value()
        return f"{a}-{rng.randint(a, high)}"
    if roll < 0.74:
        return ",".join(str(value()) for _ in range(rng.randint(2, 4)))
    if roll < 0.84:
        return f"*/{rng.randint(1, max(2, high // 2))}"
    if roll < 0.92:
        a = value()
        return f"{a}-{rng.randint(a, high)}/{rng.randint(1, 5)}"
    if roll < 0.97:
        return f"{value()}/{rng.randint(1, 10)}"
    return rng.choice(["", "99", "a", "1-", "*/0", "3-1"])  # malformed


def expression(rng):
    days = field(rng, 1, 31)
    if rng.random() < 0.08:
        days = rng.choice(["L", "LW", "15,L"])
    dow = field(rng, 0, 7, ["MON", "FRI", "SUN"])
    if rng.random() < 0.08:
        dow = rng.choice(["5L", "MON#2", "1#5", "SUN#1", "0L"])
    parts = [field(rng, 0, 59), field(rng, 0, 23), days, field(rng, 1, 12, ["JAN", "MAR", "OCT", "NOV"]), dow]
    if rng.random() < 0.05:
        parts.insert(0, str(rng.randint(0, 59)))
    return " ".join(parts)


def starts(rng):
    """Unix seconds in 2026-2027; half of them in the two days before a daylight-saving change."""
    if rng.random() < 0.5:
        zone = rng.choice(list(CHANGES))
        change = datetime.fromisoformat(rng.choice(CHANGES[zone])).replace(tzinfo=timezone.utc).timestamp()
        return int(change) - rng.randint(0, 2 * 86_400)
    return rng.randint(1_767_225_600, 1_830_297_600)


def cronsim_times(expr, zone, after, count):
    try:
        it = CronSim(expr, datetime.fromtimestamp(after, ZoneInfo(zone)))
        out = []
        for _ in range(count):
            try:
                out.append(int(next(it).timestamp()))
            except StopIteration:
                break
        return {"times": out}
    except CronSimError as error:
        return {"error": str(error)}


def almanac_times(requests):
    lines = "".join(json.dumps(r) + "\n" for r in requests)
    result = subprocess.run([str(BINARY), "jobs", "next", "--batch"], input=lines, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_fire_times_match_cronsim():
    rng = random.Random(31)
    requests = []
    for _ in range(5000):
        expr, after = expression(rng), starts(rng)
        requests += [{"expression": expr, "zone": zone, "after": after, "count": 50} for zone in ZONES]
    for zone, changes in CHANGES.items():
        for change in changes:
            at = int(datetime.fromisoformat(change).replace(tzinfo=timezone.utc).timestamp())
            requests += [{"expression": e, "zone": zone, "after": at - 86_400, "count": 50} for e in FIXED]
    ours = almanac_times(requests)
    mismatches, refused, fired = [], 0, 0
    for request, answer in zip(requests, ours):
        expected = cronsim_times(request["expression"], request["zone"], request["after"], request["count"])
        refused += "error" in expected
        fired += len(expected.get("times", []))
        if ("error" in expected) != ("error" in answer) or expected.get("times") != answer.get("times"):
            mismatches.append((request, expected, answer))
    print(f"\n{len(requests)} runs: {fired} fire times, {refused} refusals, {len(mismatches)} mismatches")
    assert len(ours) == len(requests) and fired > 500_000 and refused > 100
    assert not mismatches, "\n".join(map(str, mismatches[:5]))


def test_the_nights_the_clocks_change_in_paris():
    paris = ZoneInfo("Europe/Paris")
    cases = []
    for night in ["2026-03-28T12:00", "2026-10-24T12:00"]:
        after = int(datetime.fromisoformat(night).replace(tzinfo=paris).timestamp())
        (answer,) = almanac_times([{"expression": "30 2 * * *", "zone": "Europe/Paris", "after": after, "count": 2}])
        cases.append([datetime.fromtimestamp(t, paris).isoformat() for t in answer["times"]])
        assert answer == cronsim_times("30 2 * * *", "Europe/Paris", after, 2)
    print(f"\nspring forward: {cases[0]}\nfall back: {cases[1]}")
    # 02:30 does not exist on 29 March: the job runs at 03:00; on 25 October it runs once, in the first 02:30.
    assert cases[0] == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]
    assert cases[1] == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
