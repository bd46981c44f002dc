"""Backups proven by restoring them, end to end: a real PostgreSQL database dumped by the test and
restored by a drill into a throwaway instance made with initdb, its sanity queries passing; a real
restic repository (Debian's package) restored and its files checked; a truncated dump and a
restic repository with a pack file removed each failing with a clear reason and an alert; the
throwaway places removed every time, and after a drill killed halfway, at the next start."""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

import requests
from selenium.webdriver.common.by import By

from conftest import ADMIN, Server, monitoring_config, wait_until
from test_pages_chromium import browser  # noqa: F401  (the fixture)

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: products-db}
spec: {type: database, owner: team}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: images}
spec: {type: storage, owner: team}
"""

RULES = """rules:
  - alert: RestoreDrillFailed
    series: almanac_drill_passed
    below: {critical: 1}
"""

PASSWORD = "correct horse battery staple"


def postgres(url, sql, database=None):
    target = url if database is None else url.replace("/postgres?", f"/{database}?")
    subprocess.run(["psql", target.replace("?tlsmode=disable", "?sslmode=disable"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True)


def dump(workdir):
    """A products database of 1200 rows, dumped in pg_dump's custom format; and a truncated copy."""
    url = os.environ["ALMANAC_TEST_POSTGRES_URL"]
    name = "backup_" + uuid.uuid4().hex[:10]
    postgres(url, f"CREATE DATABASE {name}")
    postgres(url, "CREATE TABLE products (id int primary key, name text); INSERT INTO products SELECT g, 'p' || g FROM generate_series(1, 1200) g;"
             " CREATE TABLE settings (name text); INSERT INTO settings VALUES ('main');", database=name)
    good, bad = workdir / "pg", workdir / "pg-truncated"
    good.mkdir()
    bad.mkdir()
    source = url.replace("/postgres?", f"/{name}?").replace("?tlsmode=disable", "?sslmode=disable")
    subprocess.run(["pg_dump", "-Fc", "-f", str(good / "products-1.dump"), source], check=True)
    data = (good / "products-1.dump").read_bytes()
    (bad / "products-1.dump").write_bytes(data[: len(data) // 2])
    return good, bad


def restic_repositories(workdir):
    """A restic repository with one snapshot of a small tree, and a copy missing a pack file."""
    env = dict(os.environ, RESTIC_PASSWORD=PASSWORD)
    tree = workdir / "srv" / "images"
    tree.mkdir(parents=True)
    (tree / "index.json").write_text('{"images": 3}\n')
    (tree / "a.webp").write_bytes(os.urandom(200_000))
    good = workdir / "restic"
    subprocess.run(["restic", "init", "--repo", str(good)], check=True, env=env, capture_output=True)
    subprocess.run(["restic", "backup", "--repo", str(good), str(tree)], check=True, env=env, capture_output=True)
    broken = workdir / "restic-broken"
    shutil.copytree(good, broken)
    packs = sorted(p for p in (broken / "data").rglob("*") if p.is_file())
    max(packs, key=lambda p: p.stat().st_size).unlink()
    return good, broken, tree


def setup(workdir, backups):
    config = monitoring_config(workdir, "jobs: []\n", rules=RULES)
    (config / "catalog").mkdir()
    (config / "catalog" / "all.yaml").write_text(CATALOG)
    (config / "backups").mkdir()
    (config / "backups" / "all.yaml").write_text(backups)
    return config


def receipts(server):
    return {b["name"]: b for b in requests.get(server.url + "/api/v1/backups", headers=ADMIN).json()["backups"]}



def places():
    """The throwaway places' directory the server uses (under the system's temporary directory)."""
    return sorted(Path("/tmp").glob("almanac-drills-*"))


def test_drills_restore_check_fail_clearly_and_clean_up(browser, workdir):  # noqa: F811
    good_pg, bad_pg = dump(workdir)
    good_restic, broken_restic, tree = restic_repositories(workdir)
    digest = hashlib.sha256((tree / "index.json").read_bytes()).hexdigest()
    inside = str(tree / "index.json").lstrip("/")
    before = set(places())
    config = setup(workdir, f"""backups:
  - name: products
    entity: products-db
    postgres_dump: {{directory: {good_pg}, pattern: "*.dump"}}
    drill: {{every: 7d, queries: [{{sql: "select count(*) from products", at_least: 1000}}, {{sql: "select name from settings", expect: main}}]}}
  - name: products-truncated
    entity: products-db
    postgres_dump: {{directory: {bad_pg}}}
    drill: {{every: 7d, queries: [{{sql: "select count(*) from products", at_least: 1000}}]}}
  - name: images
    entity: images
    restic: {{repository: {good_restic}, password_env: IMAGES_RESTIC_PASSWORD}}
    drill: {{every: 7d, files: [{{path: "{inside}", sha256: {digest}}}]}}
  - name: images-broken
    entity: images
    restic: {{repository: {broken_restic}, password_env: IMAGES_RESTIC_PASSWORD}}
    drill: {{every: 7d, files: [{{path: "{inside}"}}]}}
""")
    server = Server(config, workdir / "data", extra_env={"IMAGES_RESTIC_PASSWORD": PASSWORD},
                    args=["--backup-interval", "1", "--rule-interval", "1"]).start()
    try:
        assert wait_until(lambda: all(r["receipts"] for r in receipts(server).values()), 120), receipts(server)
        found = receipts(server)
        products = found["products"]["receipts"][0]
        assert products["outcomes"] and all(o["passed"] for o in products["outcomes"]), products
        assert products["copy"]["name"] == "products-1.dump" and products["restore_seconds"] > 0 and products["recovery_point_seconds"] >= 0
        assert "gave 1200" in products["outcomes"][0]["detail"]
        truncated = found["products-truncated"]["receipts"][0]
        assert "failure" in truncated and "pg_restore failed" in truncated["failure"], truncated
        images = found["images"]["receipts"][0]
        assert not images.get("failure") and images["outcomes"][0]["passed"] and "sha256" in images["outcomes"][0]["detail"], images
        broken = found["images-broken"]["receipts"][0]
        assert "restic restore failed" in broken.get("failure", ""), broken
        assert found["products"]["last_proven"] and "last_proven" not in found["products-truncated"]

        # Every throwaway place is gone, and no PostgreSQL of a drill is left running.
        for directory in set(places()) - before:
            assert not list(directory.iterdir()), list(directory.iterdir())
        assert "almanac-drills" not in subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout

        def fired():
            events = requests.get(server.url + "/api/v1/alerts/history", headers=ADMIN).json()["events"]
            fired = [e["labels"] for e in events if e["rule"] == "RestoreDrillFailed" and e["event"] == "fired"]
            return {m.group(1) for m in (re.search(r'backup="([^"]+)"', labels) for labels in fired) if m}
        assert wait_until(lambda: fired() == {"products-truncated", "images-broken"}, 30), fired()

        # On demand: a second receipt for images.
        assert requests.post(server.url + "/api/v1/backups/images/drill", headers=ADMIN).status_code == 202
        assert wait_until(lambda: len(receipts(server)["images"]["receipts"]) == 2, 30)

        browser.get(server.url + "/backups")
        rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.text for r in browser.find_elements(By.CSS_SELECTOR, "#backups tbody tr")}
        assert "restored in" in rows["products"] and "never" in rows["products-truncated"] and "failed" in rows["images-broken"]
        browser.get(server.url + "/backups/products")
        assert "passed" in browser.find_element(By.ID, "receipts").text and "restored in" in browser.find_element(By.ID, "proven").text
        browser.save_screenshot(os.path.join(os.environ.get("ALMANAC_SCREENSHOTS", str(workdir)), "backups.png"))
    finally:
        server.stop()


def test_a_drill_killed_halfway_is_cleaned_at_the_next_start(workdir):
    good_pg, _ = dump(workdir)
    config = setup(workdir, f"""backups:
  - name: slow
    entity: products-db
    postgres_dump: {{directory: {good_pg}}}
    drill: {{every: 7d, queries: [{{sql: "select count(*) from (select pg_sleep(60)) s", at_least: 1}}]}}
""")
    before = set(places())
    server = Server(config, workdir / "data", args=["--backup-interval", "1", "--lease", "2"]).start()
    try:
        def running_place():
            for directory in set(places()) - before:
                for place in directory.iterdir():
                    if (place / "pgdata" / "postmaster.pid").exists():
                        return place
            return None
        assert wait_until(lambda: running_place() is not None and "pg_sleep" in subprocess.run(
            ["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout, 60), server.log.read_text()[-3000:]
        place = running_place()
        server.stop(signal.SIGKILL)
        assert place.exists(), "the kill left the place behind"
        server.start()
        assert wait_until(lambda: not place.exists(), 30), "the next start removed it"
        assert str(place) not in subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout
    finally:
        server.stop()
        stop_left_instances(before)


def stop_left_instances(before):
    """A failed run must not leave drill instances running for the next one."""
    for directory in set(places()) - before:
        for place in directory.iterdir():
            if (place / "pgdata" / "postmaster.pid").exists():
                pg_ctl = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1].as_posix()
                command = [pg_ctl, "-D", str(place / "pgdata"), "-m", "immediate", "stop"]
                subprocess.run((["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []) + command, capture_output=True)


def test_a_backup_directory_that_does_not_exist_stops_the_start(workdir):
    config = setup(workdir, "backups:\n  - {name: a, entity: images, files: {directory: /nowhere/at/all}}\n")
    try:
        Server(config, workdir / "data").start()
        raise AssertionError("the server started with a backup directory that does not exist")
    except RuntimeError as error:
        assert "backups/all.yaml:2" in str(error) and "/nowhere/at/all does not exist" in str(error), str(error)


def test_an_unreadable_copy_is_a_failed_reading_on_the_page_and_as_a_series(workdir):
    """A copy that matches but cannot be read (here a link to a file that is gone) is never
    passed over: an older copy would pass for the newest. The reading fails with the copy's
    name, on the page, in the API and as almanac_backup_readable 0."""
    copies = workdir / "copies"
    copies.mkdir()
    (copies / "images-1.tar").write_bytes(b"x" * 100)
    (copies / "images-2.tar").symlink_to(copies / "gone.tar")
    config = setup(workdir, f"backups:\n  - {{name: images, entity: images, files: {{directory: {copies}, pattern: 'images-*.tar'}}}}\n")
    server = Server(config, workdir / "data").start()
    try:
        problem = wait_until(lambda: receipts(server)["images"]["status"].get("problem"))
        assert problem and f"{copies}/images-2.tar: cannot be read (No such file or directory)" in problem, problem
        page = requests.get(server.url + "/backups", headers=ADMIN).text
        assert "images-2.tar: cannot be read" in page

        def readable():
            series = requests.get(server.url + "/api/v1/series", params={"name": "almanac_backup_readable"}, headers=ADMIN).json()["series"]
            if not series:
                return None
            samples = requests.get(f"{server.url}/api/v1/series/{series[0]['id']}/samples", headers=ADMIN).json()["samples"]
            return samples[-1][1] if samples else None

        assert wait_until(lambda: readable() is not None) and readable() == 0
    finally:
        server.stop()
