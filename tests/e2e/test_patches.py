"""Database patches with the real binary and a real PostgreSQL: a revision whose commit says
`Requires-Patch: 0002-origin-index` is refused until production's database has that patch, and
goes out once `almanac patch apply` applied it; bad input is named (a patch that is not SQL, at
its file and line; a patch changed after it was applied) and a database that cannot be reached
stops the rollout before anything runs."""
import json
import os
import subprocess

import requests

from conftest import ADMIN, BINARY, Server, free_port, migra, postgres_database
from test_rollout_crash import roll, wait
from test_rollout_nginx import git

PATCHES = {
    "0001-origin.sql": "ALTER TABLE products ADD COLUMN origin text;\n",
    "0002-origin-index.sql": "CREATE INDEX CONCURRENTLY products_origin ON products (origin);\n",
}


def setup(workdir, url):
    subprocess.run(["psql", url.replace("tlsmode", "sslmode"), "-qc", "CREATE TABLE products (id int PRIMARY KEY, code text)"], check=True)
    repo = workdir / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.txt").write_text("one\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "First release")
    first = git(repo, "rev-parse", "HEAD")
    (repo / "app.txt").write_text("two\n")
    git(repo, "commit", "-qam", "Search by origin\n\nRequires-Patch: 0002-origin-index")
    second = git(repo, "rev-parse", "HEAD")
    hosts = workdir / "hosts"
    hosts.mkdir()
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "none.yaml").write_text("flags: {}\n")
    (config / "database" / "patches").mkdir(parents=True)
    for name, text in PATCHES.items():
        (config / "database" / "patches" / name).write_text(text)
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {repo}
commands: {{deploy: "echo {{revision}} > {hosts}/{{host}}", health: "cat {hosts}/{{host}}"}}
timeouts: {{deploy: 5s, health: 2s}}
health_interval: 100ms
database:
  patches: database/patches
  lock_timeout: 1s
environments:
  - {{name: production, hosts: [h1, h2], waves: [1, 100%], database: PRODUCTION_DATABASE_URL}}
""")
    return config, first, second


def cli(config, *args, url):
    return subprocess.run([str(BINARY), "patch", *args, "--config", str(config)], capture_output=True, text=True,
                          env={**os.environ, "PRODUCTION_DATABASE_URL": url})


def test_a_revision_waits_for_its_patch_and_bad_input_is_named(workdir):
    url = postgres_database()
    config, first, second = setup(workdir, url)
    server = Server(config, workdir / "data", extra_env={"PRODUCTION_DATABASE_URL": url}).start()
    try:
        assert wait(server, roll(server, first))["phase"] == "succeeded"
        refused = requests.post(server.url + "/api/v1/pipeline/production/rollouts", json={"revision": second}, headers=ADMIN)
        assert refused.status_code == 409, refused.text
        assert "needs patch 0002-origin-index, not applied on production" in refused.text

        status = json.loads(cli(config, "status", "production", "--format", "json", url=url).stdout)["patches"]
        assert [(p["name"], p["verdict"], p["status"]) for p in status] == [("0001-origin", "hot", "pending"), ("0002-origin-index", "hot", "pending")]
        applied = cli(config, "apply", "production", "--actor", "ann", url=url)
        assert applied.returncode == 0, applied.stderr
        assert "0001-origin: hot, applied" in applied.stdout and "0002-origin-index: hot, applied" in applied.stdout
        assert wait(server, roll(server, second))["phase"] == "succeeded"
        page = requests.get(server.url + "/pipeline/production", headers=ADMIN).text
        assert "Database patches" in page and "0002-origin-index" in page
        assert "products:AccessExclusiveLock" in page, "the lock pg_locks showed while 0001 ran"
        assert "products: SHARE UPDATE EXCLUSIVE" in page, "the lock the classifier predicts for 0002"

        # A patch changed after it was applied is refused, named.
        (config / "database" / "patches" / "0001-origin.sql").write_text("ALTER TABLE products ADD COLUMN origin varchar(2);\n")
        (config / "database" / "patches" / "0003-more.sql").write_text("ALTER TABLE products ADD COLUMN more int;\n")
        changed = cli(config, "apply", "production", url=url)
        assert changed.returncode == 1 and "database/patches/0001-origin.sql changed after it was applied" in changed.stderr, changed.stderr

        # Not SQL: the parser's line.
        (config / "database" / "patches" / "0003-more.sql").write_text("ALTER TABLE products\n  ADD COLUMNN more int;\n")
        bad = cli(config, "status", "production", url=url)
        assert bad.returncode == 1 and "database/patches/0003-more.sql:2: syntax error at or near" in bad.stderr, bad.stderr
    finally:
        server.stop()


def test_a_database_that_cannot_be_reached_holds_the_rollout(workdir):
    url = postgres_database()
    config, first, second = setup(workdir, url)
    down = f"postgres://almanac@127.0.0.1:{free_port()}/nothing?tlsmode=disable"
    server = Server(config, workdir / "data", extra_env={"PRODUCTION_DATABASE_URL": down}).start()
    try:
        assert wait(server, roll(server, first))["phase"] == "succeeded", "a revision needing no patch goes"
        refused = requests.post(server.url + "/api/v1/pipeline/production/rollouts", json={"revision": second}, headers=ADMIN)
        assert refused.status_code == 409 and "the database of production cannot be read" in refused.text, refused.text
        rollouts = requests.get(server.url + "/api/v1/pipeline/production/rollouts", headers=ADMIN).json()["rollouts"]
        assert all(r["to"] != second for r in rollouts), "nothing started"
    finally:
        server.stop()


def test_schema_drift_against_staging_and_a_ledger_edited_by_hand(workdir):
    url, staging = postgres_database(), postgres_database()
    subprocess.run(["psql", staging.replace("tlsmode", "sslmode"), "-qc", "CREATE TABLE products (id int PRIMARY KEY, code text)"], check=True)
    config, first, _ = setup(workdir, url)
    pipeline = config / "pipeline" / "pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("environments:\n", "environments:\n"
                        "  - {name: staging, hosts: [s1], follow: main, at: '03:00', qa: none, database: STAGING_DATABASE_URL}\n"))
    both = {"PRODUCTION_DATABASE_URL": url, "STAGING_DATABASE_URL": staging}
    server = Server(config, workdir / "data", extra_env=both, args=["--drift-interval", "1"]).start()
    try:
        # The daily staging's follow applies every pending patch, then rolls the head out.
        followed = requests.post(server.url + "/api/v1/pipeline/staging/follow", headers=ADMIN)
        assert followed.status_code in (200, 202) and followed.json()["started"], followed.text
        assert wait(server, followed.json()["id"])["phase"] == "succeeded"
        done = subprocess.run([str(BINARY), "patch", "apply", "production", "--config", str(config)], capture_output=True, text=True,
                              env={**os.environ, **both})
        assert done.returncode == 0, done.stderr
        page = requests.get(server.url + "/pipeline/production", headers=ADMIN).text
        assert 'id="schema-same"' in page, "both applied the same patches and have the same schema"
        assert migra(staging, url) == [], "migra agrees"
        # By hand, outside any patch: a column, and a ledger row's checksum.
        libpq = url.replace("tlsmode", "sslmode")
        subprocess.run(["psql", libpq, "-qc", "ALTER TABLE products ADD COLUMN rogue int"], check=True)
        subprocess.run(["psql", libpq, "-qc", "UPDATE almanac_patches SET checksum = 'edited' WHERE name = '0001-origin'"], check=True)
        page = requests.get(server.url + "/pipeline/production", headers=ADMIN).text
        assert "only in production: column products.rogue integer null" in page, page[page.find("Schema against"):][:800]
        assert migra(staging, url) == ['alter table "public"."products" add column "rogue" integer'], "migra finds the same column"
        assert "ledger: production lists 0001-origin with a checksum that is not its file&#39;s" in page or \
            "ledger: production lists 0001-origin with a checksum that is not its file's" in page

        def drift():
            series = requests.get(server.url + "/api/v1/series", params={"name": "almanac_schema_drift"}, headers=ADMIN).json()["series"]
            production = [s for s in series if s["labels"].get("environment") == "production"]
            if not production:
                return None
            samples = requests.get(f"{server.url}/api/v1/series/{production[0]['id']}/samples", headers=ADMIN).json()["samples"]
            return samples and samples[-1]
        from conftest import wait_until
        last = wait_until(lambda: (lambda s: s if s and (s[1] if isinstance(s, list) else s["value"]) >= 2 else None)(drift()), seconds=20)
        assert last, "almanac_schema_drift{environment=production} counts the two differences, for a rule to alert on"
    finally:
        server.stop()
