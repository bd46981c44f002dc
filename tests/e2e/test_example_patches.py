"""The example's database patches on a local PostgreSQL, as the README has a newcomer try them:
staging first (the cold patch's window opens and closes the example's maintenance answer), then
production; the ledger of each database has all four patches, the cold one with its window."""
import os
import shutil
import subprocess

from conftest import BINARY, EXAMPLE, postgres_database


def test_the_examples_hot_and_cold_patches_apply_staging_then_production(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    urls = {"EXAMPLE_STAGING_DATABASE_URL": postgres_database(), "EXAMPLE_PRODUCTION_DATABASE_URL": postgres_database()}
    env = {**os.environ, **urls}
    missing = subprocess.run([str(BINARY), "patch", "status", "production", "--config", str(config)], capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if not k.startswith("EXAMPLE_")})
    assert missing.returncode != 0 and "EXAMPLE_PRODUCTION_DATABASE_URL is not set" in missing.stderr, missing.stderr
    for environment in ["staging", "production"]:
        applied = subprocess.run([str(BINARY), "patch", "apply", environment, "--config", str(config)], capture_output=True, text=True, env=env)
        assert applied.returncode == 0, applied.stderr
        lines = applied.stdout.splitlines()
        assert [line.split(":")[0] for line in lines] == ["0001-products", "0002-origin", "0003-origin-index", "0004-stock-bigint"], lines
        assert "cold, applied" in lines[3] and ", window " in lines[3], lines[3]
    assert not (config / ".example-hosts" / "maintenance").exists(), "the window closed"
    ledger = subprocess.run(["psql", urls["EXAMPLE_PRODUCTION_DATABASE_URL"].replace("tlsmode", "sslmode"), "-qAt", "-c",
                             "SELECT name || ' ' || status FROM almanac_patches ORDER BY name"], capture_output=True, text=True, check=True)
    assert ledger.stdout.split("\n")[:4] == [f"{n} applied" for n in ["0001-products", "0002-origin", "0003-origin-index", "0004-stock-bigint"]]
