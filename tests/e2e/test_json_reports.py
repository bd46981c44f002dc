"""Every `--format json` report decodes into typed records with exactly the keys README's "JSON
for scripts" table documents: a key renamed, added or dropped fails here."""
import dataclasses
import json
import shutil
import subprocess
import typing
from dataclasses import dataclass

from conftest import BINARY, EXAMPLE


def almanac(*args):
    result = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def decode(cls, value):
    """Builds `cls` from JSON, refusing unknown keys and missing required ones, recursively."""
    origin = typing.get_origin(cls)
    if origin is list:
        (item,) = typing.get_args(cls)
        assert isinstance(value, list), value
        return [decode(item, v) for v in value]
    if origin is dict:
        _, item = typing.get_args(cls)
        assert isinstance(value, dict), value
        return {k: decode(item, v) for k, v in value.items()}
    if origin is typing.Union:
        inner = [a for a in typing.get_args(cls) if a is not type(None)][0]
        return None if value is None else decode(inner, value)
    if dataclasses.is_dataclass(cls):
        assert isinstance(value, dict), value
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(value) - set(fields)
        assert not unknown, f"{cls.__name__}: undocumented keys {unknown}"
        hints = typing.get_type_hints(cls)
        return cls(**{k: decode(hints[k], v) for k, v in value.items()})
    if cls is typing.Any:
        return value
    if cls is float:
        assert isinstance(value, (int, float)), value
        return float(value)
    assert isinstance(value, cls), (cls, value)
    return value


Opt = typing.Optional


@dataclass
class FlagsCheck:
    ok: bool
    flags: int
    files: int
    warnings: list[str]


@dataclass
class FlagsEval:
    key: str
    value: typing.Any
    variant: Opt[str]
    reason: str
    error_code: Opt[str]


@dataclass
class FlagRow:
    key: str
    state: str
    type: str
    variants: list[str]
    default_variant: Opt[str]
    owner: Opt[str]
    expires: Opt[str]


@dataclass
class StaleRow:
    flag: str
    kind: str
    detail: str
    owner: Opt[str]


@dataclass
class KindCount:
    kind: str
    count: int


@dataclass
class CatalogCheck:
    kinds: list[KindCount]
    warnings: list[str]


@dataclass
class PersonSkills:
    person: str
    skills: dict[str, str]


@dataclass
class ThinTechnology:
    technology: str
    can_handle: list[str]
    learning: list[str]
    used_by: list[str]


@dataclass
class ServiceAtRisk:
    service: str
    tier: str
    technologies: dict[str, int]


@dataclass
class ServiceRow:
    service: str
    owner: Opt[str] = None
    server: Opt[str] = None


@dataclass
class Loss:
    person: str
    uncovered: list[str]
    services: list[str]
    owned_alone: list[str]


@dataclass
class CatalogReport:
    skills: list[PersonSkills]
    thin: list[ThinTechnology]
    critical_at_risk: list[ServiceAtRisk]
    no_owner: list[ServiceRow]
    no_runbook: list[ServiceRow]
    no_monitoring: list[ServiceRow]
    one_server: list[ServiceRow]
    peripheral_chains: list[list[str]]
    loss: Opt[Loss] = None


@dataclass
class TruckFactor:
    truck_factor: int
    removed: list[str]
    files: int


@dataclass
class Threshold:
    service: str
    rule: str
    series: str
    function: str
    kind: str
    pending_for: str
    keep_firing_for: str
    defined_in: str
    direction: Opt[str] = None
    warning: Opt[float] = None
    critical: Opt[float] = None
    hysteresis: Opt[float] = None
    within: Opt[str] = None
    confidence: Opt[float] = None
    absent_for: Opt[str] = None
    runbook: Opt[str] = None


@dataclass
class Thresholds:
    thresholds: list[Threshold]


@dataclass
class Trend:
    service: str
    name: str
    labels: dict[str, str]
    current: float
    per_day: float
    per_week: float
    per_month: float
    regime: str
    model: str
    regime_start: int
    direction: str
    growth_changed_at: Opt[int] = None
    growth_before_per_day: Opt[float] = None
    growth_after_per_day: Opt[float] = None
    backtest_error: Opt[float] = None
    threshold: Opt[float] = None
    rule: Opt[str] = None
    crossing_earliest: Opt[int] = None
    crossing_likely: Opt[int] = None
    crossing_latest: Opt[int] = None


@dataclass
class Trends:
    trends: list[Trend]


def test_every_json_report_has_the_documented_keys(workdir):
    config = workdir / "config"
    shutil.copytree(EXAMPLE, config)
    subprocess.run(["git", "init", "-q", str(config)], check=True)
    subprocess.run(["git", "-C", str(config), "-c", "user.name=Ana", "-c", "user.email=ana@example.org", "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(config), "-c", "user.name=Ana", "-c", "user.email=ana@example.org", "commit", "-qm", "x"], check=True)
    common = ["--config", str(config), "--data", str(workdir / "data"), "--format", "json"]

    assert decode(FlagsCheck, almanac("flags", "check", *common)).flags == 15
    assert decode(FlagsEval, almanac("flags", "eval", "new-product-page", *common)).reason
    assert len(decode(list[FlagRow], almanac("flags", "list", *common))) == 15
    decode(list[StaleRow], almanac("flags", "stale", *common))
    assert {k.kind for k in decode(CatalogCheck, almanac("catalog", "check", *common)).kinds} >= {"Component", "User"}
    report = decode(CatalogReport, almanac("catalog", "report", "--person", "alex", *common))
    assert report.loss and report.loss.person == "alex" and any(t.technology == "zfs" for t in report.thin)
    assert decode(TruckFactor, almanac("catalog", "truck-factor", *common)).truck_factor == 1
    thresholds = decode(Thresholds, almanac("report", "thresholds", *common)).thresholds
    assert {t.kind for t in thresholds} >= {"threshold", "forecast"}
    decode(Trends, almanac("report", "trends", *common))
