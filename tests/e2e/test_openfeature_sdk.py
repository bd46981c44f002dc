"""The real OpenFeature Python SDK with the OFREP provider, against the running server."""
import shutil
import tempfile
from pathlib import Path

import cbor2
import mmh3
import pytest
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason

from conftest import CLIENT_KEY, EXAMPLE, Server, postgres_database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def example_server(request):
    """One example server per backend for the whole file (a start costs seconds, and the tests
    only read flags; the one that flips the kill switch puts it back)."""
    path = Path(tempfile.mkdtemp(prefix="almanac-e2e-"))
    shutil.copytree(EXAMPLE, path / "config")
    server = Server(path / "config", path / "data", None if request.param == "sqlite" else postgres_database()).start()
    yield server
    server.stop()
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def client(example_server):
    api.set_provider(OFREPProvider(example_server.url, headers_factory=lambda: {"Authorization": f"Bearer {CLIENT_KEY}"}))
    yield api.get_client()
    api.clear_providers()


def test_boolean_with_scopes_and_targeting(client):
    qa = client.get_boolean_details("new-product-page", False, EvaluationContext("someone", {"team": "qa"}))
    assert (qa.value, qa.variant, qa.reason) == (True, "on", Reason.TARGETING_MATCH)
    parser = client.get_boolean_details("ingredient-parser-v3", False, EvaluationContext("u1", {"appVersion": "4.3.1"}))
    assert (parser.value, parser.reason) == (True, Reason.TARGETING_MATCH)
    old = client.get_boolean_details("ingredient-parser-v3", True, EvaluationContext("u1", {"appVersion": "4.1.9"}))
    assert (old.value, old.variant, old.reason) == (False, "off", Reason.DEFAULT)


def test_string_integer_float_object(client):
    layout = client.get_string_details("nutrition-panel-layout", "x", EvaluationContext("u", {"country": "be"}))
    assert (layout.value, layout.variant) == ("compact", "compact")
    per_page = client.get_integer_details("results-per-page", 0, EvaluationContext("u", {"device": "mobile"}))
    assert (per_page.value, per_page.variant) == (24, "small")
    assert isinstance(per_page.value, int)
    quality = client.get_float_details("image-quality", 0.0, EvaluationContext("u", {"network": "cellular"}))
    assert quality.value == 0.6 and isinstance(quality.value, float)
    exports = client.get_object_details("export-formats", {}, EvaluationContext("u"))
    assert exports.value == {"csv": True, "jsonl": True, "parquet": False}
    assert exports.error_code is None


def test_fractional_split_follows_the_formula(client):
    seen = set()
    for i in range(40):
        user = f"user-{i}"
        # flagd's fractional, version 3: bucket = (murmur3_x86_32(canonical CBOR of [flagKey, targetingKey]) * totalWeight) >> 32,
        # weights 50/50
        bucket = (mmh3.hash(cbor2.dumps(["homepage-hero", user], canonical=True), 0, signed=False) * 100) >> 32
        expected = "control" if bucket < 50 else "scan"
        details = client.get_string_details("homepage-hero", "?", EvaluationContext(user))
        assert details.variant == expected, user
        seen.add(details.variant)
    assert seen == {"control", "scan"}


def test_disabled_and_missing_flags(client):
    banner = client.get_boolean_details("footer-donation-banner", False, EvaluationContext("u"))
    assert (banner.value, banner.variant, banner.reason) == (False, None, Reason.DISABLED)
    missing = client.get_boolean_details("no-such-flag", True, EvaluationContext("u"))
    assert missing.value is True
    assert missing.error_code == ErrorCode.FLAG_NOT_FOUND


def test_type_mismatch_is_reported_by_the_sdk(client):
    wrong = client.get_integer_details("image-quality", 7, EvaluationContext("u"))
    assert wrong.value == 7 and wrong.error_code == ErrorCode.TYPE_MISMATCH


def test_wrong_client_key(example_server):
    api.set_provider(OFREPProvider(example_server.url, headers_factory=lambda: {"Authorization": "Bearer wrong"}))
    try:
        details = api.get_client().get_boolean_details("search-suggestions", False, EvaluationContext("u"))
        assert details.value is False
        assert details.error_code == ErrorCode.GENERAL
        assert "forbidden" in (details.error_message or "")
    finally:
        api.clear_providers()


def test_runtime_kill_switch_is_seen_by_the_client(client, example_server):
    before = client.get_boolean_details("search-suggestions", False, EvaluationContext("u"))
    assert (before.value, before.reason) == (True, Reason.STATIC)
    reply = example_server.admin("PUT", "/api/v1/flags/search-suggestions/state", state="DISABLED", comment="e2e")
    assert reply.status_code == 200, reply.text
    after = client.get_boolean_details("search-suggestions", False, EvaluationContext("u"))
    assert (after.value, after.reason) == (False, Reason.DISABLED)
    example_server.admin("PUT", "/api/v1/flags/search-suggestions/state", state="ENABLED")
    assert client.get_boolean_value("search-suggestions", False, EvaluationContext("u")) is True
