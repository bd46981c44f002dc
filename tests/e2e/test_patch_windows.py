"""Patches on a real PostgreSQL under load: a 1,000,000-row table takes 200 writes a second
from pgbench while `almanac patch apply` runs. A hot patch (a concurrent index) applies with no
failed write; a cold one (ALTER COLUMN TYPE bigint) runs in the window, where writes wait and
none is lost, and the window lasts within 20% of the time the staging copy (the same rows,
under the same load) took. It runs alone (scripts/test): the window is a measurement."""
import json
import os
import re
import subprocess
import threading

from conftest import BINARY, postgres_database

PGBENCH = next((f"/usr/lib/postgresql/{v}/bin/pgbench" for v in ("17", "16", "15") if os.path.exists(f"/usr/lib/postgresql/{v}/bin/pgbench")), None)
WRITE = "\\set id random(1, 1000000)\nINSERT INTO writes (product, at) VALUES (:id, clock_timestamp());\n"


def libpq(url):
    return url.replace("tlsmode", "sslmode")


def psql(url, sql):
    done = subprocess.run(["psql", libpq(url), "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Writes:
    """pgbench at 200 transactions a second, in the background, for `seconds`."""

    def __init__(self, workdir, url, seconds):
        script = workdir / "write.sql"
        script.write_text(WRITE)
        self.result = None
        self.thread = threading.Thread(target=self.run, args=([PGBENCH, "-n", "-R", "200", "-T", str(seconds), "-c", "4", "-j", "2",
                                                               "-f", str(script), libpq(url)],))
        self.thread.start()

    def run(self, command):
        self.result = subprocess.run(command, capture_output=True, text=True)

    def done(self):
        self.thread.join()
        processed = int(re.search(r"number of transactions actually processed: (\d+)", self.result.stdout).group(1))
        failed = re.search(r"number of failed transactions: (\d+)", self.result.stdout)
        return processed, int(failed.group(1)) if failed else 0, self.result


def setup(workdir, url):
    psql(url, "CREATE TABLE products (id int PRIMARY KEY, code text, stock int);"
              "INSERT INTO products SELECT g, 'c' || g, g % 1000 FROM generate_series(1, 1000000) g;"
              "CREATE TABLE writes (id bigserial PRIMARY KEY, product int, at timestamptz);")
    name = url.rsplit("/", 1)[1].split("?")[0]
    staging = url.replace(f"/{name}?", f"/{name}_staging?")
    admin = url.replace(f"/{name}?", "/postgres?")
    psql(admin, f"CREATE DATABASE {name}_staging TEMPLATE {name}")
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "none.yaml").write_text("flags: {}\n")
    patches = config / "database" / "patches"
    patches.mkdir(parents=True)
    (patches / "0001-code-index.sql").write_text("CREATE INDEX CONCURRENTLY products_code ON products (code);\n")
    (patches / "0002-stock-bigint.sql").write_text("ALTER TABLE products ALTER COLUMN stock TYPE bigint;\n")
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {workdir}
commands: {{deploy: "true", health: "true"}}
database:
  patches: database/patches
  window: {{start: "touch {workdir}/maintenance", end: "rm {workdir}/maintenance"}}
environments:
  - {{name: staging, hosts: [s1], follow: main, at: "03:00", qa: none, database: STAGING_DATABASE_URL}}
  - {{name: production, hosts: [p1], database: PRODUCTION_DATABASE_URL}}
""")
    return config, staging


def apply(config, environment, url, staging, upto):
    return subprocess.run([str(BINARY), "patch", "apply", environment, "--up-to", upto, "--config", str(config), "--format", "json"],
                          capture_output=True, text=True, env={**os.environ, "PRODUCTION_DATABASE_URL": url, "STAGING_DATABASE_URL": staging})


def test_hot_and_cold_patches_under_200_writes_a_second(workdir):
    assert PGBENCH, "pgbench comes with Debian's postgresql package"
    url = postgres_database()
    config, staging = setup(workdir, url)

    def applied(environment, database, upto, seconds):
        writes = Writes(workdir, database, seconds)
        done = apply(config, environment, url, staging, upto)
        processed, failed, result = writes.done()
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["applied"], processed, failed, result

    hot, processed, failed, result = applied("production", url, "0001-code-index", 5)
    assert [p["name"] for p in hot] == ["0001-code-index"] and hot[0]["verdict"] == "hot"
    assert failed == 0 and processed >= 800 and result.returncode == 0, result.stdout + result.stderr
    assert psql(url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'products_code'::regclass") == "t"

    applied("staging", staging, "0001-code-index", 3)
    predicted, _, _, _ = applied("staging", staging, "0002-stock-bigint", 6)
    before = int(psql(url, "SELECT count(*) FROM writes"))
    cold, processed, failed, result = applied("production", url, "0002-stock-bigint", 6)
    assert [p["name"] for p in cold] == ["0002-stock-bigint"] and cold[0]["verdict"] == "cold"
    assert failed == 0 and result.returncode == 0, "writes during the window waited: " + result.stdout + result.stderr
    assert int(psql(url, "SELECT count(*) FROM writes")) - before == processed, "every write pgbench made is stored"
    assert psql(url, "SELECT data_type FROM information_schema.columns WHERE table_name = 'products' AND column_name = 'stock'") == "bigint"
    window, expected = cold[0]["window_milliseconds"], predicted[0]["window_milliseconds"]
    print(f"\ncold window {window} ms on production; staging took {expected} ms; hot index build {hot[0]['milliseconds']} ms under load")
    assert abs(window - expected) <= 0.2 * expected, (window, expected)
    ledger = psql(url, "SELECT name || ' ' || status || ' ' || coalesce(window_milliseconds, 0) FROM almanac_patches ORDER BY name")
    assert ledger.splitlines()[0].startswith("0001-code-index applied 0") and ledger.splitlines()[1].startswith("0002-stock-bigint applied")
