"""The golden table of statement locks (tests/patches/golden-locks.tsv) against a real
PostgreSQL: each statement runs on a fresh copy of tests/patches/schema.sql while pg_locks is
read, inside an open transaction (or, for statements that cannot run in one, from another
session while an open reader keeps them waiting), and the strongest mode taken on t must be
the row's. Then `almanac patch classify` on the same statements must give each row's lock and
verdict, and squawk (PyPI's squawk-cli) is run on them: every statement squawk flags is cold
or carries the rule squawk names, and the differences are printed."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import BINARY, postgres_database

HERE = Path(__file__).resolve().parent.parent / "patches"
# squawk rules about how a migration is run, which Almanac's runner does itself: each patch in a
# transaction of its own (re-runnable), lock_timeout and statement_timeout set before each.
APPLIED_BY_ALMANAC = {"prefer-robust-stmts", "require-lock-timeout", "require-statement-timeout", "transaction-nesting"}
# Schema design advice, not locks.
STYLE = {"prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-identity", "prefer-text-field", "prefer-timestamptz", "ban-char-field"}
ORDER = ["AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock",
         "ExclusiveLock", "AccessExclusiveLock"]


def golden():
    rows = []
    for line in (HERE / "golden-locks.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            statement, lock, verdict, transactional = line.split("\t")
            rows.append((statement, None if lock == "-" else lock, verdict, transactional == "yes"))
    return rows


def psql(url, sql, **kwargs):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], capture_output=True, text=True, **kwargs)


def strongest(modes):
    modes = [m for m in modes if m and m != "AccessShareLock"]
    return max(modes, key=ORDER.index) if modes else None


def reset(url):
    done = psql(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;\n" + (HERE / "schema.sql").read_text())
    assert done.returncode == 0, done.stderr


LOCKS_ON_T = ("SELECT mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
              "WHERE l.locktype = 'relation' AND c.relname IN ('t', 'tt') AND l.pid = {pid}")  # tt: t renamed


def measured_in_transaction(url, statement):
    done = psql(url, f"BEGIN; {statement}; " + LOCKS_ON_T.format(pid="pg_backend_pid()") + "; ROLLBACK;")
    assert done.returncode == 0, f"{statement}: {done.stderr}"
    return strongest(done.stdout.split())


def measured_outside(url, statement):
    """Another session holds SHARE UPDATE EXCLUSIVE on t, which conflicts with every lock these
    statements take, so each waits for its lock while pg_locks shows the mode it asked for."""
    reader = subprocess.Popen(["psql", url, "-qAt"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    reader.stdin.write("BEGIN; LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE; SELECT 1;\n")
    reader.stdin.flush()
    reader.stdout.readline()
    runner = subprocess.Popen(["psql", url, "-qAt", "-c", statement], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PGAPPNAME": "golden"})
    seen = []
    deadline = time.time() + 10
    while time.time() < deadline:
        got = psql(url, LOCKS_ON_T.format(pid="(SELECT pid FROM pg_stat_activity WHERE application_name = 'golden' LIMIT 1)"))
        seen += got.stdout.split()
        if seen and time.time() > deadline - 9:
            break
        time.sleep(0.1)
    reader.stdin.write("COMMIT;\n\\q\n")
    reader.stdin.flush()
    reader.wait(timeout=10)
    _, error = runner.communicate(timeout=30)
    assert runner.returncode == 0, f"{statement}: {error}"
    return strongest(seen)


def test_golden_locks_match_postgres_the_classifier_and_squawk(workdir):
    url = postgres_database().replace("tlsmode=disable", "sslmode=disable")  # libpq's spelling
    rows = golden()
    assert len(rows) >= 40
    wrong = []
    for statement, lock, _, transactional in rows:
        reset(url)
        got = measured_in_transaction(url, statement) if transactional else measured_outside(url, statement)
        if got != lock:
            wrong.append((statement, lock, got))
    assert wrong == [], "the golden table differs from PostgreSQL: " + "; ".join(f"{s}: table says {l}, server took {g}" for s, l, g in wrong)

    patch = workdir / "golden.sql"
    patch.write_text("".join(statement + ";\n" for statement, *_ in rows))
    classified = subprocess.run([str(BINARY), "patch", "classify", str(patch), "--format", "json"], capture_output=True, text=True)
    assert classified.returncode == 0, classified.stderr
    statements = json.loads(classified.stdout)["statements"]
    assert len(statements) == len(rows)
    for (statement, lock, verdict, transactional), found in zip(rows, statements):
        on_t = strongest([l["mode"] for l in found["locks"] if l["table"] == "t" or (l["of_index"] and l["table"] in ("t_a", "t_id_b"))])
        assert (on_t, found["verdict"], found["transactional"]) == (lock, verdict, transactional), (statement, found)
        assert found["line"] == rows.index((statement, lock, verdict, transactional)) + 1

    # The test command installs squawk-cli into the virtual environment that runs the tests.
    beside = Path(sys.executable).parent / "squawk"
    squawk = str(beside) if beside.exists() else shutil.which("squawk")
    assert squawk, "squawk must be installed (the test command installs squawk-cli)"
    report = subprocess.run([squawk, "--reporter", "json", str(patch)], capture_output=True, text=True)
    flagged = {}
    other = set()
    for violation in json.loads(report.stdout or "[]"):
        rule = violation["rule_name"]
        if rule in APPLIED_BY_ALMANAC or rule in STYLE:
            other.add(rule)
        else:
            flagged.setdefault(violation["line"] + 1, []).append(rule)
    differences = []
    for line, rules in sorted(flagged.items()):
        found = statements[line - 1] if line - 1 < len(statements) else None
        assert found is not None, (line, rules)
        named = any(rule in note for rule in rules for note in found["notes"])
        if found["verdict"] != "cold" and not named:
            differences.append(f"line {line} {found['kind']}: squawk {', '.join(rules)}; Almanac hot ({found['reason']})")
    cold_unflagged = [f"line {i + 1} {s['kind']}" for i, s in enumerate(statements) if s["verdict"] == "cold" and i + 1 not in flagged]
    print("\nsquawk flags", len(flagged), "statements for their locks; hot and not named by Almanac:", differences or "none",
          "\ncold in Almanac, not flagged by squawk:", cold_unflagged or "none",
          "\nsquawk rules left to Almanac's runner or about design:", sorted(other))
    assert differences == [], differences
