"""Almanac against flagd's reference evaluator (openfeature-flagd-core) on 10,000 generated
(flag, context) pairs: the value, variant and reason (or error code) must match exactly."""
import json

import requests
from openfeature.contrib.tools.flagd.core import FlagdCore
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import OpenFeatureError

from conftest import CLIENT_KEY, Server
from flaggen import EVALUATORS, Generator

FLAGS = 500
CONTEXTS_PER_FLAG = 20
SENTINEL = "__code_default__"


def reference(core, key, kind, context):
    targeting_key = context.get("targetingKey")
    attributes = {k: v for k, v in context.items() if k != "targetingKey"}
    resolve = {"boolean": core.resolve_boolean_value, "string": core.resolve_string_value, "integer": core.resolve_integer_value,
               "float": core.resolve_float_value, "object": core.resolve_object_value}[kind]
    try:
        result = resolve(key, SENTINEL, EvaluationContext(targeting_key, attributes))
    except OpenFeatureError as error:
        return ("error", error.error_code.value)
    except Exception:  # the reference lets Python's own exceptions escape; OpenFeature calls that GENERAL
        return ("error", "GENERAL")
    value = None if result.value == SENTINEL else result.value
    return ("ok", json.dumps(value, sort_keys=True), result.variant, result.reason.value if hasattr(result.reason, "value") else str(result.reason))


def almanac(session, url, key, context):
    reply = session.post(f"{url}/ofrep/v1/evaluate/flags/{key}", json={"context": context}, headers={"X-API-Key": CLIENT_KEY})
    body = reply.json()
    if reply.status_code != 200:
        return ("error", body["errorCode"])
    return ("ok", json.dumps(body.get("value"), sort_keys=True), body["variant"], body["reason"])


def test_matches_the_reference_evaluator(workdir):
    generator = Generator(seed=20261123)
    flags, kinds = {}, {}
    for i in range(FLAGS):
        kinds[f"f{i}"], flags[f"f{i}"] = generator.flag()
    document = {"$evaluators": EVALUATORS, "flags": flags}
    (workdir / "config" / "flags").mkdir(parents=True)
    (workdir / "config" / "flags" / "generated.json").write_text(json.dumps(document))
    core = FlagdCore()
    core.set_flags(json.loads(json.dumps(document)))
    server = Server(workdir / "config", workdir / "data").start()
    try:
        session = requests.Session()
        mismatches, reasons, pairs = [], {}, 0
        for key, kind in kinds.items():
            for _ in range(CONTEXTS_PER_FLAG):
                context = generator.context()
                expected = reference(core, key, kind, context)
                actual = almanac(session, server.url, key, context)
                pairs += 1
                outcome = expected[0] if expected[0] == "error" else expected[3]
                reasons[outcome] = reasons.get(outcome, 0) + 1
                if expected != actual:
                    mismatches.append((key, json.dumps(flags[key]), json.dumps(context), expected, actual))
        fractional = sum("fractional" in json.dumps(flag) for flag in flags.values())
        print(f"\n{pairs} pairs, outcomes {reasons}, {len(mismatches)} mismatches; {fractional} flags split with fractional")
        assert pairs >= 10_000 and fractional >= 50
        # The generator must exercise every outcome, or the comparison proves little.
        assert {"STATIC", "TARGETING_MATCH", "DEFAULT", "DISABLED", "error"} <= set(reasons)
        assert not mismatches, "\n".join(map(str, mismatches[:10]))
    finally:
        server.stop()
