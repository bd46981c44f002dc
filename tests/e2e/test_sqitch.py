"""A sqitch project made with Debian's sqitch (`sqitch init`, `sqitch add` three times, with
deploy, verify and revert scripts) loads unchanged as the pipeline's patches. sqitch deploys it
to one database and Almanac applies it to another: both end with the same schema, `sqitch
status` is up to date with the changes Almanac's ledger lists, and Almanac runs each verify
script (one that fails undoes its change)."""
import os
import subprocess

from conftest import BINARY, migra, postgres_database

CHANGES = [
    ("appschema", [], "CREATE TABLE origins (code text PRIMARY KEY);", "SELECT code FROM origins WHERE false;", "DROP TABLE origins;"),
    ("products", ["appschema"], "CREATE TABLE products (id bigint PRIMARY KEY, code text NOT NULL, origin text REFERENCES origins (code));",
     "SELECT id, code, origin FROM products WHERE false;", "DROP TABLE products;"),
    ("products-code", ["products"], "CREATE INDEX products_code ON products (code);",
     "SELECT 1/count(*) FROM pg_indexes WHERE indexname = 'products_code';", "DROP INDEX products_code;"),
]
ENV = {**os.environ, "SQITCH_FULLNAME": "Ann Dev", "SQITCH_EMAIL": "ann@example.org"}


def libpq(url):
    return url.replace("tlsmode", "sslmode")


def schema(url):
    query = ("SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns "
             "WHERE table_schema = 'public' AND table_name <> 'almanac_patches' UNION ALL "
             "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'almanac_patches' UNION ALL "
             "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
             "AND conrelid::regclass::text <> 'almanac_patches' ORDER BY 1")
    return subprocess.run(["psql", libpq(url), "-qAt", "-c", query], capture_output=True, text=True, check=True).stdout.splitlines()


def project(workdir):
    folder = workdir / "config" / "database" / "shop"
    folder.mkdir(parents=True)
    subprocess.run(["sqitch", "init", "shop", "--engine", "pg"], cwd=folder, env=ENV, check=True, capture_output=True)
    for name, requires, deploy, verify, revert in CHANGES:
        arguments = ["sqitch", "add", name, "-n", f"Adds {name}."] + [item for r in requires for item in ("--requires", r)]
        subprocess.run(arguments, cwd=folder, env=ENV, check=True, capture_output=True)
        # sqitch's templates wrap each script in BEGIN/COMMIT (verify: ROLLBACK); the body is ours.
        for kind, body in [("deploy", deploy), ("verify", verify), ("revert", revert)]:
            path = folder / kind / f"{name}.sql"
            path.write_text(path.read_text().replace("-- XXX Add DDLs here.", body).replace("-- XXX Add verifications here.", body))
    return folder


def test_a_sqitch_project_loads_unchanged_and_ends_in_the_same_schema(workdir):
    ours, theirs = postgres_database(), postgres_database()
    folder = project(workdir)
    config = workdir / "config"
    (config / "flags").mkdir()
    (config / "flags" / "none.yaml").write_text("flags: {}\n")
    (config / "pipeline").mkdir()
    (config / "pipeline" / "pipeline.yaml").write_text(f"""
repository: {workdir}
commands: {{deploy: "true", health: "true"}}
database: {{sqitch: database/shop}}
environments:
  - {{name: production, hosts: [p1], database: PRODUCTION_DATABASE_URL}}
""")
    target = "db:" + libpq(theirs).replace("postgres://", "pg://")
    deployed = subprocess.run(["sqitch", "deploy", target], cwd=folder, env=ENV, capture_output=True, text=True)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr

    env = {**os.environ, "PRODUCTION_DATABASE_URL": ours}
    status = subprocess.run([str(BINARY), "patch", "status", "production", "--config", str(config)], capture_output=True, text=True, env=env)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines() == ["appschema: hot, pending", "products: hot, pending", "products-code: cold, pending"], status.stdout
    # products-code is cold (CREATE INDEX without CONCURRENTLY): the pipeline has no window, so it is refused until one is set.
    refused = subprocess.run([str(BINARY), "patch", "apply", "production", "--config", str(config)], capture_output=True, text=True, env=env)
    assert refused.returncode == 1 and "products-code is cold" in refused.stderr, refused.stderr
    pipeline = config / "pipeline" / "pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("database: {sqitch: database/shop}",
                                                     "database: {sqitch: database/shop, window: {start: 'true', end: 'true'}}"))
    applied = subprocess.run([str(BINARY), "patch", "apply", "production", "--config", str(config)], capture_output=True, text=True, env=env)
    assert applied.returncode == 0, applied.stderr

    assert schema(ours) == schema(theirs) and len(schema(ours)) >= 6, (schema(ours), schema(theirs))
    # migra, the reference diff, finds nothing between them but Almanac's own ledger table.
    differences = migra(ours, theirs)
    assert differences and all("almanac_patches" in statement for statement in differences), differences
    up_to_date = subprocess.run(["sqitch", "status", target], cwd=folder, env=ENV, capture_output=True, text=True)
    assert "Nothing to deploy (up-to-date)" in up_to_date.stdout, up_to_date.stdout
    registry = subprocess.run(["psql", libpq(theirs), "-qAt", "-c", "SELECT change FROM sqitch.changes ORDER BY committed_at"],
                              capture_output=True, text=True, check=True).stdout.split()
    ledger = subprocess.run(["psql", libpq(ours), "-qAt", "-c", "SELECT name FROM almanac_patches WHERE status = 'applied' ORDER BY name"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert sorted(registry) == ledger == sorted(name for name, *_ in CHANGES)

    # A verify script that fails undoes its change.
    (folder / "deploy" / "origins-note.sql").write_text("BEGIN;\nALTER TABLE origins ADD COLUMN note text;\nCOMMIT;\n")
    (folder / "verify" / "origins-note.sql").write_text("BEGIN;\nSELECT 1/count(*) FROM origins;\nROLLBACK;\n")
    with open(folder / "sqitch.plan", "a") as plan:
        plan.write("origins-note [appschema] 2026-12-07T03:00:00Z Ann Dev <ann@example.org> # Notes on origins.\n")
    failed = subprocess.run([str(BINARY), "patch", "apply", "production", "--config", str(config)], capture_output=True, text=True, env=env)
    assert failed.returncode == 1 and "its verify script failed" in failed.stderr and "division by zero" in failed.stderr, failed.stderr
    assert not any("origins.note" in line for line in schema(ours)), "the change was undone"
