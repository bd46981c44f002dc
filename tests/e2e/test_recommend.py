"""`almanac capacity recommend` on a real process: stress-ng (Debian's package) holding 300 MB
and 40% of a core, measured by process-exporter and scraped by Almanac. The recommendation
covers the peak memory and the 90th percentile of CPU that the test measured itself, and the
patch applies with git to example Kubernetes, Compose and systemd files."""
import json
import subprocess
import time

import requests
import yaml

from conftest import BINARY, Server, free_port, monitoring_config, start_and_wait

KUBERNETES = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
spec:
  template:
    spec:
      containers:
        - name: worker
          image: batch:1
          resources:
            requests:
              cpu: "2"
"""
COMPOSE = "services:\n  worker:\n    image: batch:1\n"
UNIT = "[Unit]\nDescription=batch\n\n[Service]\nExecStart=/usr/bin/batch\n\n[Install]\nWantedBy=multi-user.target\n"


def exporter_sample(port):
    """CPU seconds (all modes) and resident bytes of the group, as process-exporter reports them now."""
    cpu = memory = 0.0
    for line in requests.get(f"http://127.0.0.1:{port}/metrics").text.splitlines():
        if line.startswith('namedprocess_namegroup_cpu_seconds_total{groupname="stress"'):
            cpu += float(line.rsplit(" ", 1)[1])
        if line.startswith('namedprocess_namegroup_memory_bytes{groupname="stress",memtype="resident"}'):
            memory = float(line.rsplit(" ", 1)[1])
    return time.time(), cpu, memory


def test_recommendation_covers_a_real_process(workdir):
    exporter_port = free_port()
    (workdir / "process-exporter.yaml").write_text("process_names:\n  - name: stress\n    comm: [stress-ng, stress-ng-cpu, stress-ng-vm]\n")
    stress = subprocess.Popen(
        ["stress-ng", "--cpu", "1", "--cpu-load", "40", "--vm", "1", "--vm-bytes", "300M", "--vm-hang", "0", "--timeout", "120s"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    exporter = start_and_wait(
        ["prometheus-process-exporter", "-config.path", str(workdir / "process-exporter.yaml"), "-web.listen-address", f"127.0.0.1:{exporter_port}"],
        f"http://127.0.0.1:{exporter_port}/metrics")
    config = monitoring_config(workdir, f"jobs:\n  - job: processes\n    targets: ['127.0.0.1:{exporter_port}']\n    interval: 1s\n")
    (config / "capacity").mkdir()
    (config / "capacity" / "resources.yaml").write_text(
        "recommender: {min_cpu: 0, min_memory: 0}\nworkloads:\n"
        "  - {name: batch-k8s, service: batch, usage: '{groupname=\"stress\"}', file: deploy/batch.yaml, kind: kubernetes, container: worker}\n"
        "  - {name: batch-compose, service: batch, usage: '{groupname=\"stress\"}', file: docker-compose.yml, kind: compose, container: worker}\n"
        "  - {name: batch-unit, service: batch, usage: '{groupname=\"stress\"}', file: deploy/batch.service, kind: systemd}\n")
    repo = workdir / "app"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "batch.yaml").write_text(KUBERNETES)
    (repo / "docker-compose.yml").write_text(COMPOSE)
    (repo / "deploy" / "batch.service").write_text(UNIT)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    server = Server(config, workdir / "data").start()
    try:
        time.sleep(5)  # stress-ng has allocated its memory
        samples = []
        for _ in range(30):
            samples.append(exporter_sample(exporter_port))
            time.sleep(1)
        rates = sorted((b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(samples, samples[1:]))
        observed_p90 = rates[int(0.9 * len(rates))]
        observed_peak = max(s[2] for s in samples)
        assert observed_peak > 250e6 and 0.2 < observed_p90 < 0.8, (observed_peak, rates)

        result = subprocess.run(
            [str(BINARY), "capacity", "recommend", "--config", str(config), "--data", str(workdir / "data"), "--repo", str(repo),
             "--patch", str(workdir / "resources.diff"), "--format", "json"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        workloads = json.loads(result.stdout)["workloads"]
        assert [w["workload"] for w in workloads] == ["batch-k8s", "batch-compose", "batch-unit"]
        recommendation = workloads[0]["recommendation"]
        print(f"observed: cpu p90 {observed_p90:.3f} cores, memory peak {observed_peak / 2**20:.0f} MiB; "
              f"recommended: cpu {recommendation['cpu']['target']:.3f}, memory {recommendation['memory']['target'] / 2**20:.0f} MiB")
        assert recommendation["memory"]["target"] >= observed_peak
        assert recommendation["cpu"]["target"] >= observed_p90
        assert recommendation["cpu"]["target"] < observed_p90 * 1.6, "a margin, not a guess"
        assert workloads[0]["cpu_samples"] >= 20

        applied = subprocess.run(["git", "apply", "--check", str(workdir / "resources.diff")], cwd=repo, capture_output=True, text=True)
        assert applied.returncode == 0, applied.stderr + (workdir / "resources.diff").read_text()
        subprocess.run(["git", "apply", str(workdir / "resources.diff")], cwd=repo, check=True)
        container = yaml.safe_load((repo / "deploy" / "batch.yaml").read_text())["spec"]["template"]["spec"]["containers"][0]
        assert set(container["resources"]) == {"requests", "limits"} and container["resources"]["requests"]["memory"].endswith("Mi")
        deploy = yaml.safe_load((repo / "docker-compose.yml").read_text())["services"]["worker"]["deploy"]["resources"]
        assert float(deploy["reservations"]["cpus"]) >= observed_p90
        unit = (repo / "deploy" / "batch.service").read_text()
        assert "CPUQuota=" in unit and "MemoryHigh=" in unit and "MemoryMax=" in unit and unit.index("MemoryMax=") < unit.index("[Install]")
    finally:
        server.stop()
        exporter.terminate()
        stress.terminate()
        stress.wait()
