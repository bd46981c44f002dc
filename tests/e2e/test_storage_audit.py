"""The storage audit end to end on real photographs (scikit-image's samples) and their labelled
copies: near-duplicate precision and recall, savings estimated from a sample against every file
re-encoded (and against Debian's cwebp), hot and cold from nginx logs (gzip-rotated too), prices
from the example's cost model, and plans applied and undone byte for byte."""
import gzip
import hashlib
import itertools
import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import BINARY, EXAMPLE
from image_set import build, many


def audit(*arguments, check=True):
    run = subprocess.run([str(BINARY), "storage", "audit", *map(str, arguments)], capture_output=True, text=True, timeout=900)
    if check:
        assert run.returncode == 0, run.stderr
    return run


def report(*arguments):
    return json.loads(audit(*arguments, "--format", "json").stdout)


def tree(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_near_duplicates_are_found_with_precision_and_recall(workdir):
    root = workdir / "images"
    labels = build(root)
    result = report(root, "--data", workdir / "data", "--sample", 4)
    group_of = {}
    for group in result["groups"]:
        members = [group["keep"], *group["others"]]
        merged = set(members).union(*(group_of.get(m, {m}) for m in members))
        for member in merged:
            group_of[member] = merged
    truth = predicted = both = 0
    for a, b in itertools.combinations(sorted(labels), 2):
        same = labels[a] == labels[b]
        found = str(root / b) in group_of.get(str(root / a), set())
        truth += same
        predicted += found
        both += same and found
    precision, recall = both / predicted, both / truth
    print(f"\nnear duplicates at the default threshold: precision {precision:.3f}, recall {recall:.3f} over {truth} true pairs")
    assert precision >= 0.95 and recall >= 0.9
    exact = sorted(sorted([g["keep"], *g["others"]]) for g in result["groups"] if g["kind"] == "exact")
    assert exact == sorted(sorted([str(root / name / "copy.jpg"), str(root / name / "original.jpg")]) for name in set(labels.values()))
    assert result["files"] == len(labels) + 1 and result["problems"] == 1, "README.txt is counted and is not an image"
    # The content hashes are SHA-256 as sha256sum computes them.
    ours = subprocess.run([str(BINARY), "storage", "checksum", str(root)], capture_output=True, text=True, check=True).stdout
    theirs = subprocess.run(["sha256sum", *map(str, sorted(p for p in root.rglob("*") if p.is_file()))], capture_output=True, text=True)
    assert sorted(ours.splitlines()) == sorted(theirs.stdout.splitlines()) and len(ours.splitlines()) == len(labels) + 1


def test_estimated_savings_hold_the_measured_ones_and_prices_come_from_the_cost_model(workdir):
    root = workdir / "images"
    build(root, scale=3)
    common = [root, "--data", workdir / "data", "--pixel-budget", 1_000_000, "--quality", 80]
    census = report(*common, "--sample", 100_000)
    sampled = report(*common, "--sample", 24, "--config", EXAMPLE, "--host", "ovh3")
    assert census["sampled"] == census["images"] and 24 <= sampled["sampled"] < census["images"]
    measured = {s["kind"]: s for s in census["savings"]}
    estimated = {s["kind"]: s for s in sampled["savings"]}
    for kind in ["WebP", "downscale"]:
        truth, estimate = measured[kind]["bytes"], estimated[kind]
        print(f"\n{kind}: every file {truth:.0f} B saved; sample {estimate['bytes']:.0f} in [{estimate['low']:.0f}, {estimate['high']:.0f}]")
        assert measured[kind]["low"] == measured[kind]["high"] == truth, "a census has no margin"
        assert estimate["low"] < estimate["high"] and estimate["low"] <= truth <= estimate["high"]
        assert truth > 0
    # The re-encodes are libwebp's: Debian's cwebp at the same quality makes files of the same total size.
    cwebp = 0
    for path in sorted(root.rglob("*.jpg")):
        out = path.with_suffix(".cwebp")
        subprocess.run(["cwebp", "-quiet", "-q", "80", str(path), "-o", str(out)], check=True)
        cwebp += out.stat().st_size
        out.unlink()
    almanac_webp = sum(p.stat().st_size for p in root.rglob("*.jpg")) - measured["WebP"]["bytes"]
    print(f"WebP bytes: Almanac {almanac_webp:.0f}, cwebp {cwebp}")
    assert abs(almanac_webp - cwebp) / cwebp < 0.05
    # ovh3 keeps HDDs in France: 0.02 EUR per GB-month; 0.65 Wh per TB-hour × 730 h × PUE 1.3 at 56 g/kWh.
    exact = estimated["exact duplicates"]
    assert sampled["currency"] == "EUR"
    assert abs(exact["money"] - exact["bytes"] / 1e9 * 0.02) < 1e-12
    assert abs(exact["kg_co2e"] - exact["bytes"] / 1e9 * 0.65 / 1000 * 730 * 1.3 / 1000 * 56 / 1000) < 1e-15
    html = audit(*common, "--sample", 24, "--format", "html").stdout
    assert html.count("<svg") >= 3 and "Bytes by file size" in html


def nginx_line(path, when, status=200):
    return f'198.51.100.7 - - [{when.strftime("%d/%b/%Y:%H:%M:%S +0000")}] "GET {path} HTTP/1.1" {status} 2326 "-" "Mozilla/5.0"\n'


def test_hot_and_cold_from_rotated_logs_then_a_cold_plan_applied_and_undone(workdir):
    root = workdir / "images"
    labels = build(root)
    names = sorted(set(labels.values()))
    now = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
    logs = workdir / "logs"
    logs.mkdir()
    # Today's log: the originals of the first six pictures; a 404 and a query string too.
    recent = [nginx_line(f"/images/{n}/original.jpg?size=400", now - timedelta(days=i)) for i, n in enumerate(names[:6])]
    recent += [nginx_line(f"/images/{names[6]}/half.jpg", now, status=404), "a line that is not a request\n"]
    (logs / "access.log").write_text("".join(recent))
    # Rotated: 60 days ago (hot in 90 and 365) and 200 days ago (hot in 365 only).
    with gzip.open(logs / "access.log.2.gz", "wt") as f:
        f.write(nginx_line(f"/images/{names[7]}/half.jpg", now - timedelta(days=60)))
        f.write(nginx_line(f"/images/{names[8]}/half.jpg", now - timedelta(days=200)))
        f.write(nginx_line(f"/images/{names[9]}/half.jpg", now - timedelta(days=400)))
    result = report(root, "--data", workdir / "data", "--sample", 4, "--logs", logs, "--url-prefix", "/images")
    heat = {w["days"]: w for w in result["heat"]}
    assert [heat[d]["hot_files"] for d in (30, 90, 365)] == [6, 7, 8]
    assert all(heat[d]["hot_files"] + heat[d]["cold_files"] == len(labels) for d in heat)
    size = lambda rel: (root / rel).stat().st_size  # noqa: E731
    assert heat[30]["hot_bytes"] == sum(size(f"{n}/original.jpg") for n in names[:6])
    assert heat[365]["covered"] and result["log_lines"] == 11

    before = tree(root)
    plan, cold = workdir / "cold.json", workdir / "cold"
    audit(root, "--data", workdir / "data", "--sample", 4, "--logs", logs, "--url-prefix", "/images", "--plan", plan, "--actions", "cold",
          "--cold-dir", cold)
    actions = json.loads(plan.read_text())["actions"]
    assert len(actions) == len(labels) - 7 and {a["kind"] for a in actions} == {"cold"}
    subprocess.run([str(BINARY), "storage", "apply", str(plan)], check=True, capture_output=True)
    assert len(tree(root)) == 7 + 1 and len(tree(cold)) == len(labels) - 7
    assert tree(cold)[f"{names[0]}/half.jpg"] == before[f"{names[0]}/half.jpg"]
    subprocess.run([str(BINARY), "storage", "undo", str(plan)], check=True, capture_output=True)
    assert tree(root) == before


def test_apply_moves_originals_to_quarantine_and_undo_restores_every_byte(workdir):
    root = workdir / "images"
    build(root, scale=2)
    before = tree(root)
    plan = workdir / "plan.json"
    audit(root, "--data", workdir / "data", "--sample", 4, "--pixel-budget", 500_000, "--plan", plan, "--actions",
          "deduplicate,downscale,webp")
    actions = json.loads(plan.read_text())["actions"]
    kinds = {k: [a for a in actions if a["kind"] == k] for k in ("deduplicate", "downscale", "webp")}
    assert len(kinds["deduplicate"]) == 18 and kinds["downscale"] and kinds["webp"]
    applied = subprocess.run([str(BINARY), "storage", "apply", str(plan)], capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    quarantine = Path(str(plan) + ".quarantine")
    manifest = [json.loads(line) for line in (quarantine / "manifest.jsonl").read_text().splitlines()]
    assert [m["state"] for m in manifest].count("done") == len(actions)
    for entry in manifest:
        if entry["state"] == "done":
            assert hashlib.sha256(Path(entry["stored"]).read_bytes()).hexdigest() == entry["action"]["sha256"]
    copy = kinds["deduplicate"][0]
    assert Path(copy["path"]).stat().st_ino == Path(copy["keep"]).stat().st_ino, "a duplicate becomes a hard link"
    shrunk = kinds["downscale"][0]["path"]
    width, height = (int(v) for v in subprocess.run(["vipsheader", "-f", "width", shrunk], capture_output=True, text=True).stdout.split()
                     + subprocess.run(["vipsheader", "-f", "height", shrunk], capture_output=True, text=True).stdout.split())
    assert width * height <= 500_000
    webp = Path(kinds["webp"][0]["path"]).with_suffix(".webp")
    assert webp.read_bytes()[8:12] == b"WEBP" and not Path(kinds["webp"][0]["path"]).exists()

    # A produced file changed since: undo stops before touching it, then goes on once it is put back.
    saved = webp.read_bytes()
    webp.write_bytes(saved + b"edited")
    refused = subprocess.run([str(BINARY), "storage", "undo", str(plan)], capture_output=True, text=True)
    assert refused.returncode == 1 and "changed since the plan was applied" in refused.stderr
    webp.write_bytes(saved)
    subprocess.run([str(BINARY), "storage", "undo", str(plan)], check=True, capture_output=True)
    assert tree(root) == before

    # A file changed since the audit is refused by apply, naming it.
    victim = Path(kinds["webp"][0]["path"])
    victim.write_bytes(victim.read_bytes() + b"\0")
    refused = subprocess.run([str(BINARY), "storage", "apply", str(plan)], capture_output=True, text=True)
    assert refused.returncode == 1 and str(victim) in refused.stderr and "changed since the audit" in refused.stderr


def test_an_audit_killed_midway_resumes_without_measuring_again(workdir):
    root = workdir / "many"
    many(root, 3000, folders=30)
    ledger = workdir / "ledger.sqlite"
    process = subprocess.Popen([str(BINARY), "storage", "audit", str(root), "--state", str(ledger), "--sample", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import sqlite3
    import time
    deadline = time.time() + 120
    measured = 0
    while time.time() < deadline and measured < 600:
        time.sleep(0.05)
        try:
            with sqlite3.connect(ledger) as db:
                measured = db.execute("SELECT count(*) FROM files").fetchone()[0]
        except sqlite3.OperationalError:
            pass
    process.kill()
    process.wait()
    with sqlite3.connect(ledger) as db:
        kept = db.execute("SELECT count(*) FROM files").fetchone()[0]
    assert 0 < kept < 3000, kept
    resumed = audit(root, "--state", ledger, "--sample", 2, "--format", "json")
    assert f"{kept} already measured" in resumed.stderr, resumed.stderr[-500:]
    assert json.loads(resumed.stdout)["files"] == 3000
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == 3000


def test_access_logs_that_cannot_be_read_stop_the_plan_naming_them(workdir):
    """Read as no hits, a log that cannot be read would send hot images to cold storage: the
    audit stops instead, naming the log, and writes no plan."""
    root = workdir / "images"
    build(root)
    plan = workdir / "cold.json"
    cases = []
    empty = workdir / "empty-logs"
    empty.mkdir()
    cases.append((empty, f"{empty}: no access logs in the folder"))
    unreadable = workdir / "odd-logs"
    (unreadable / "access.log").mkdir(parents=True)
    cases.append((unreadable, f"{unreadable}/access.log: cannot read the access log"))
    a_file = workdir / "a-file.log"
    a_file.write_text("")
    cases.append((a_file / "inside", f"{a_file}/inside: no such access log"))
    for logs, message in cases:
        run = audit(root, "--data", workdir / "data", "--sample", 4, "--logs", logs, "--url-prefix", "/images", "--plan", plan,
                    "--actions", "cold", "--cold-dir", workdir / "cold", check=False)
        assert run.returncode != 0 and message in run.stderr, (logs, run.returncode, run.stderr[-800:])
        assert not plan.exists(), "no plan is written from logs that were not read"
