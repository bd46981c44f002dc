"""The CLI on real files: check reports every mistake as file:line: field: message; eval, list and
stale answer in each format; run-time commands go through the server's admin API."""
import json
import shutil
import subprocess

from conftest import ADMIN_TOKEN, BINARY, EXAMPLE, Server


def almanac(*args, **kwargs):
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=60, **kwargs)


def test_check_reports_every_error_with_file_line_and_field(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    web = config / "flags" / "web.yaml"
    web.write_text(web.read_text().replace("defaultVariant: classic", "defaultVariant: classics").replace("state: DISABLED", "state: OFF"))
    result = almanac("flags", "check", str(config))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("flags/web.yaml:") and "flags.nutrition-panel-layout.defaultVariant: unknown variant 'classics'" in line for line in lines), lines
    assert any(line.startswith("flags/web.yaml:") and "flags.footer-donation-banner.state: must be ENABLED or DISABLED" in line for line in lines), lines
    assert almanac("flags", "check", str(EXAMPLE)).stdout.startswith("ok: 15 flags in 3 files")


def test_eval_and_list_formats():
    result = almanac("flags", "eval", "new-product-page", "--config", str(EXAMPLE), "--environment", "staging", "--format", "json")
    assert json.loads(result.stdout) == {"key": "new-product-page", "value": True, "variant": "on", "reason": "DEFAULT", "error_code": None}
    listed = json.loads(almanac("flags", "list", "--config", str(EXAMPLE), "--format", "json").stdout)
    assert len(listed) == 15 and listed[0]["key"] == "api-write-rate-limit"
    markdown = almanac("flags", "list", "--config", str(EXAMPLE), "--format", "markdown").stdout
    assert markdown.startswith("| flag | state |")
    missing = almanac("flags", "eval", "nope", "--config", str(EXAMPLE))
    assert missing.returncode == 2 and "FLAG_NOT_FOUND" in missing.stdout


def test_stale_lists_expired_and_code_mismatches(workdir):
    source = workdir / "src"
    source.mkdir()
    (source / "app.py").write_text('client.get_boolean_value("new-product-page", False)\nclient.get_boolean_value("ghost", False)\n')
    result = almanac("flags", "stale", "--config", str(EXAMPLE), "--data", str(workdir / "data"), "--source", str(source), "--format", "json")
    assert result.returncode == 1
    findings = {(f["flag"], f["kind"]) for f in json.loads(result.stdout)}
    assert ("product-edit-form-v2", "expired") in findings
    assert ("ghost", "undefined") in findings
    assert ("read-only-mode", "unreferenced") in findings
    assert ("new-product-page", "unreferenced") not in findings


def test_runtime_commands_use_the_admin_api(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    server = Server(config, workdir / "data").start()
    try:
        result = almanac("flags", "disable", "read-only-mode", "--server", server.url, "--token", ADMIN_TOKEN, "--comment", "from the CLI")
        assert result.returncode == 0, result.stderr
        assert server.evaluate("read-only-mode").json()["reason"] == "DISABLED"
        pin = almanac("flags", "pin", "homepage-hero", "user:ann", "scan", "--server", server.url, "--token", ADMIN_TOKEN)
        assert pin.returncode == 0, pin.stderr
        assert server.evaluate("homepage-hero", {"targetingKey": "ann"}).json()["variant"] == "scan"
        denied = almanac("flags", "enable", "read-only-mode", "--server", server.url, "--token", "wrong")
        assert denied.returncode == 1 and "401" in denied.stderr
        # The example's ramp starts on its own (actor `ramp`); the people's changes are these two.
        audit = [e for e in server.admin("GET", "/api/v1/audit").json()["entries"] if e["actor"] != "ramp"]
        assert [e["action"] for e in audit] == ["pin", "disable"] and audit[1]["comment"] == "from the CLI"
    finally:
        server.stop()


def test_a_broken_monitoring_file_stops_every_command_that_reads_it(workdir):
    """Commands that read the monitoring files refuse to run on a broken one, naming the file and
    line, instead of working from no monitoring configuration at all."""
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    targets = config / "monitoring" / "targets.yaml"
    targets.write_text(targets.read_text() + "\n  - this is: [not closed\n")
    data = str(workdir / "data")
    for command in (["report", "costs"], ["report", "slos"], ["report", "trends"], ["catalog", "report"]):
        result = almanac(*command, "--config", str(config), "--data", data)
        assert result.returncode != 0, (command, result.stdout[-500:])
        assert "monitoring/targets.yaml:" in result.stderr, (command, result.stderr[-500:])
