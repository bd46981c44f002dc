"""Targeting that flagd accepts but that cannot do what it says: the set loads in Almanac as in
flagd, each flag answers over OFREP what flagd's reference evaluator (openfeature-flagd-core)
answers, and `almanac flags check` fails naming each case's file and line."""
import json
import subprocess

import requests
from openfeature.contrib.tools.flagd.core import FlagdCore
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import OpenFeatureError

from conftest import ADMIN, BINARY, CLIENT_KEY, Server

BOOL = {"on": True, "off": False}
FLAGS = {
    "$evaluators": {"staff": {"ends_with": [{"var": "email"}, "@example.org"]}},
    "flags": {
        "semver-two-args": {"state": "ENABLED", "variants": BOOL, "defaultVariant": "off",
                            "targeting": {"if": [{"sem_ver": [{"var": "version"}, "1.0.0"]}, "on", "off"]}},
        "semver-unknown-comparison": {"state": "ENABLED", "variants": BOOL, "defaultVariant": "on",
                                      "targeting": {"sem_ver": [{"var": "version"}, "===", "1.0.0"]}},
        "starts-with-one-arg": {"state": "ENABLED", "variants": BOOL, "defaultVariant": "off",
                                "targeting": {"if": [{"starts_with": [{"var": "email"}]}, "on", "off"]}},
        "ends-with-one-arg": {"state": "ENABLED", "variants": BOOL, "defaultVariant": "on",
                              "targeting": {"ends_with": [{"var": "email"}]}},
        "missing-evaluator": {"state": "ENABLED", "variants": BOOL, "defaultVariant": "off",
                              "targeting": {"if": [{"$ref": "nowhere"}, "on", "off"]}},
        "healthy": {"state": "ENABLED", "variants": BOOL, "defaultVariant": "off", "targeting": {"if": [{"$ref": "staff"}, "on", "off"]}},
    },
}
CONTEXT = {"targetingKey": "user-1", "version": "1.2.0", "email": "ann@example.org"}


def reference(core, key):
    try:
        result = core.resolve_boolean_value(key, None, EvaluationContext(CONTEXT["targetingKey"], CONTEXT))
    except OpenFeatureError as error:
        return ("error", error.error_code.value)
    return ("ok", result.value, result.variant, result.reason.value if hasattr(result.reason, "value") else str(result.reason))


def test_questionable_targeting_answers_as_flagd(workdir):
    config = workdir / "config"
    (config / "flags").mkdir(parents=True)
    (config / "flags" / "flagd.json").write_text(json.dumps(FLAGS, indent=2))
    core = FlagdCore()
    core.set_flags(json.dumps(FLAGS))

    check = subprocess.run([str(BINARY), "flags", "check", str(config)], capture_output=True, text=True)
    assert check.returncode == 1, check.stdout + check.stderr
    warnings = check.stderr.strip().splitlines()
    assert len(warnings) == 5, warnings
    assert all(line.startswith("flags/flagd.json:") for line in warnings), warnings
    assert any("flags.missing-evaluator.targeting" in line and "unknown evaluator 'nowhere'" in line for line in warnings), warnings

    server = Server(config, workdir / "data").start()
    try:
        for key in FLAGS["flags"]:
            reply = requests.post(f"{server.url}/ofrep/v1/evaluate/flags/{key}", json={"context": CONTEXT}, headers={"X-API-Key": CLIENT_KEY})
            body = reply.json()
            ours = ("error", body["errorCode"]) if reply.status_code != 200 else ("ok", body.get("value"), body["variant"], body["reason"])
            assert ours == reference(core, key), (key, ours, reference(core, key), body)
        missing = requests.post(f"{server.url}/ofrep/v1/evaluate/flags/missing-evaluator", json={"context": CONTEXT}, headers={"X-API-Key": CLIENT_KEY})
        assert missing.status_code == 400 and "unknown evaluator 'nowhere'" in missing.json()["errorDetails"]
        status = requests.get(f"{server.url}/api/v1/flags/status", headers=ADMIN).json()
        assert status["flags"] == 6 and status["errors"] == [] and len(status["warnings"]) == 5, status
        assert "unknown evaluator" in requests.get(f"{server.url}/flags", headers=ADMIN).text
    finally:
        server.stop()
