"""Every `--format json` report decodes into typed records with exactly the keys README's "JSON
for scripts" table documents: a key renamed, added or dropped fails here."""
import dataclasses
import json
import shutil
import subprocess
import threading
import time
import typing
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

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
class SingleHostRole:
    environment: str
    role: str
    host: str
    outage_seconds: float
    measured: bool
    service: Opt[str] = None


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
    single_host_roles: list[SingleHostRole]
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


@dataclass
class Spectrum:
    count: int
    mean: float
    p50: float
    p75: float
    p90: float
    p95: float
    p99: float
    p999: float
    p9999: float
    max: float


@dataclass
class Count:
    what: str
    count: int


@dataclass
class LoadSummary:
    seconds: float
    sent: int
    completed: int
    errors: int
    late: int
    dropped: int
    rate: float
    error_rate: float
    late_rate: float
    dropped_rate: float
    response: Spectrum
    service: Spectrum
    lag: Spectrum
    statuses: list[Count]
    failures: list[Count]


@dataclass
class ThresholdResult:
    threshold: str
    value: str
    passed: bool


@dataclass
class Interval:
    second: int
    completed: int
    errors: int
    p50: float
    p90: float
    p99: float
    max: float


@dataclass
class HostRevision:
    host: str
    revision: str


@dataclass
class Usage:
    cpu_series: list[str]
    memory_series: list[str]
    cpu_milliseconds_per_request: Opt[float] = None
    memory_peak_bytes: Opt[float] = None
    memory_per_concurrent_request_bytes: Opt[float] = None


@dataclass
class Step:
    rate: float
    achieved: float
    p50: float
    p99: float
    error_rate: float
    passed: bool
    failed: list[str]


@dataclass
class LoadRun:
    test: str
    service: str
    kind: str
    started_at: int
    target: str
    model: str
    summary: LoadSummary
    thresholds: list[ThresholdResult]
    intervals: list[Interval]
    histogram: list[list[int]]
    revisions: list[HostRevision]
    passed: bool
    revision: Opt[str] = None
    aborted: Opt[str] = None
    usage: Opt[Usage] = None
    steps: Opt[list[Step]] = None
    sustainable_rate: Opt[float] = None


@dataclass
class Bounds:
    lower: float
    target: float
    upper: Opt[float] = None


@dataclass
class Recommendation:
    cpu: Bounds
    memory: Bounds
    confidence_days: float
    ooms: int


@dataclass
class Range:
    low: float
    likely: float
    high: float


@dataclass
class TrafficSizing:
    at: int
    peak_rate: Range
    cpu_cores: Range
    memory_bytes: Range
    cost_run: int
    cpu_milliseconds_per_request: float


@dataclass
class WorkloadRecommendation:
    workload: str
    service: str
    recommendation: Recommendation
    cpu_samples: int
    memory_samples: int
    cpu_series: list[str]
    memory_series: list[str]
    file: Opt[str] = None
    for_traffic: Opt[TrafficSizing] = None
    for_traffic_missing: Opt[str] = None


@dataclass
class Recommend:
    workloads: list[WorkloadRecommendation]


@dataclass
class MoneySplit:
    compute: float
    memory: float
    storage: float
    network: float


@dataclass
class CarbonSplit:
    compute: float
    memory: float
    storage: float
    network: float
    embodied: float


@dataclass
class HostShare:
    service: str
    cost: float
    grams: float
    missing_usage: bool


@dataclass
class CostHost:
    host: str
    payment: str
    cost: float
    idle: float
    money_split: MoneySplit
    kilowatt_hours: float
    measured: bool
    operational_grams: float
    carbon_split: CarbonSplit
    grid_grams_per_kilowatt_hour: float
    grid_from_series: bool
    shares: list[HostShare]
    embodied_grams: Opt[float] = None
    utilization: Opt[float] = None
    previous_cost: Opt[float] = None
    previous_grams: Opt[float] = None


@dataclass
class CostService:
    service: str
    cost: float
    idle_cost: float
    money_split: MoneySplit
    kilowatt_hours: float
    grams: float
    carbon_split: CarbonSplit
    missing_usage: bool
    units: Opt[float] = None
    unit_name: Opt[str] = None
    cost_per_thousand: Opt[float] = None
    grams_per_thousand: Opt[float] = None
    previous_cost: Opt[float] = None
    previous_grams: Opt[float] = None


@dataclass
class OutlookRange:
    low: float
    likely: float
    high: float


@dataclass
class CostOutlook:
    measure: str
    now: float
    six_months: OutlookRange
    twelve_months: OutlookRange
    model: str
    days: int
    service: Opt[str] = None


@dataclass
class Costs:
    currency: str
    hours: float
    hosts: list[CostHost]
    services: list[CostService]
    grid_source: str
    coefficient_source: str
    outlook: list[CostOutlook]


@dataclass
class WhatIfCosts:
    today: Costs
    changed: Costs


def capacity_reports(config, common, workdir):
    """`load run` against a real HTTP server, and `capacity recommend` on imported usage history."""
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (config / "capacity" / "loadtests" / "json.yaml").write_text(
        f"service: shop\ntarget: http://127.0.0.1:{server.server_address[1]}\nrequests: [/]\nclosed: {{connections: 2, duration: 1s}}\n"
        "thresholds: ['p99 < 10s']\nusage: '{job=\"none\"}'\n")
    run = decode(LoadRun, almanac("load", "run", "json", *common))
    assert run.passed and run.summary.completed > 0 and run.intervals
    now = int(time.time())
    lines = []
    for i in range(600):
        t = now - (600 - i) * 300
        lines += [f'process_cpu_seconds_total{{service="shop"}} {i * 30.0} {t}', f'process_resident_memory_bytes{{service="shop"}} 3e8 {t}',
                  f'shop_requests_total{{service="shop"}} {i * 3000.0} {t}']
    history = workdir / "usage.om"
    history.write_text("# TYPE process_cpu_seconds_total counter\n# TYPE process_resident_memory_bytes gauge\n# TYPE shop_requests_total counter\n"
                       + "\n".join(sorted(lines, key=lambda line: int(line.rsplit(" ", 1)[1]))) + "\n# EOF\n")
    subprocess.run([str(BINARY), "series", "import", str(history), "--data", common[3]], check=True, capture_output=True)
    (config / "capacity" / "resources.yaml").write_text("workloads:\n  - {name: shop, service: shop, traffic: shop_requests_total}\n")
    recommend = decode(Recommend, almanac("capacity", "recommend", "--for-traffic", "2030-01-01", *common))
    assert recommend.workloads[0].recommendation.cpu.target > 0.1 and recommend.workloads[0].for_traffic_missing
    server.shutdown()


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
    costs = decode(Costs, almanac("report", "costs", *common))
    assert {h.host for h in costs.hosts} == {"ovh1", "ovh2", "ovh3", "off1", "off2", "moji"}
    assert abs(sum(s.cost for s in costs.services) + sum(h.idle for h in costs.hosts) - sum(h.cost for h in costs.hosts)) < 1e-6
    for host in costs.hosts:
        assert abs(sum(s.cost for s in host.shares) + host.idle - host.cost) < 1e-6, host.host
    (workdir / "what-if.yaml").write_text("changes:\n  - retire: {host: off1, move_to: off2}\n")
    what_if = decode(WhatIfCosts, almanac("report", "costs", "--what-if", str(workdir / "what-if.yaml"), *common))
    assert {h.host for h in what_if.changed.hosts} == {h.host for h in costs.hosts} - {"off1"}
    capacity_reports(config, common, workdir)
