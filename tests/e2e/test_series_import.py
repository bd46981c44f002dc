"""`almanac series import` streams: files larger than the old 32 MB limit import with a
progress bar, and peak memory does not grow with the file (three times the data, about the same
resident set); a mistake in the middle names its file and line."""
import os
import pathlib
import subprocess
import threading
import time

from conftest import BINARY
from munin_history import history


def peak_kb(path, data):
    """The import's own peak resident set (VmHWM), read from /proc while it runs: wait4's
    ru_maxrss would include the test process's own size, which Linux carries into a child
    across its exec (after the storage audit's tests, 350 MB)."""
    process = subprocess.Popen([str(BINARY), "series", "import", str(path), "--data", str(data)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    output = {}
    reader = threading.Thread(target=lambda: output.update(zip(("out", "err"), process.communicate())))
    reader.start()
    status = pathlib.Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            peak = max(peak, int(fields["VmHWM"].split()[0]))
        except (OSError, KeyError, ValueError):
            pass
        time.sleep(0.02)
    reader.join()
    err = output["err"].decode()
    assert process.returncode == 0, err
    return peak, output["out"].decode(), err


def test_a_file_over_the_old_limit_streams_in_constant_memory(workdir):
    small, large = workdir / "small.om", workdir / "large.om"
    small_count, large_count = history(small, 40), history(large, 120)
    small_peak, small_out, _ = peak_kb(small, workdir / "data-small")
    large_peak, large_out, large_err = peak_kb(large, workdir / "data-large")
    assert small_out.strip() == f"{small}: {small_count} samples"
    assert large_out.strip() == f"{large}: {large_count} samples"
    progress = [line for line in large_err.splitlines() if line.startswith("large.om [")]
    size = f"{os.path.getsize(large) / 1048576:.1f} MB"
    assert len(progress) >= 5 and "100%" in progress[-1] and f"{size}/{size}" in progress[-1], large_err
    assert large_peak < small_peak * 1.25, (small_peak, large_peak)
    assert large_peak < 200_000, large_peak


def test_out_of_order_samples_are_counted_and_a_bad_line_is_named(workdir):
    path = workdir / "mixed.prom"
    path.write_text('disk_used{host="a"} 1 1600000000000\ndisk_used{host="a"} 2 1600000300000\n'
                    'disk_used{host="a"} 3 1600000000000\ndisk_used{host="b"} 4 1600000000000\n')
    result = subprocess.run([str(BINARY), "series", "import", str(path), "--data", str(workdir / "data")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{path}: 3 samples; 1 out of order or duplicated, dropped"

    bad = workdir / "bad.om"
    bad.write_text('# TYPE x gauge\nx 1 1600000000\nx{oops 2 1600000300\n# EOF\n')
    result = subprocess.run([str(BINARY), "series", "import", str(bad), "--data", str(workdir / "data")], capture_output=True, text=True)
    assert result.returncode == 1 and f"{bad}:3: " in result.stderr, result.stderr
    untimed = workdir / "untimed.prom"
    untimed.write_text("x 1\n")
    result = subprocess.run([str(BINARY), "series", "import", str(untimed), "--data", str(workdir / "data")], capture_output=True, text=True)
    assert result.returncode == 1 and f"{untimed}:1: the sample has no timestamp" in result.stderr, result.stderr

