"""The layering check (scripts/check-imports) on a copy of the package: clean, it passes; a file
that imports a module its target does not declare, or a domain library that reaches for I/O,
makes it fail and name the file and line."""
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

CHECK = ROOT / "scripts" / "check-imports"


def copy(tmp_path):
    package = tmp_path / "package"
    package.mkdir(parents=True)
    shutil.copy(ROOT / "Package.swift", package / "Package.swift")
    for folder in ("Sources", "Tests"):
        shutil.copytree(ROOT / folder, package / folder, ignore=shutil.ignore_patterns("*.json", "*.test", "*.prom", "*.om", "*.expected"))
    return package


def check(package):
    return subprocess.run([str(CHECK), str(package)], capture_output=True, text=True, timeout=60)


def add_line(file: Path, line: str, after_imports=True):
    lines = file.read_text().splitlines()
    at = max((i for i, text in enumerate(lines) if text.startswith("import ")), default=-1) + 1 if after_imports else len(lines)
    lines.insert(at, line)
    file.write_text("\n".join(lines) + "\n")
    return at + 1


def test_the_repository_passes_and_an_undeclared_import_fails(tmp_path):
    package = copy(tmp_path)
    assert check(package).returncode == 0, check(package).stdout

    runtime_file = package / "Sources" / "AlmanacRuntime" / "Support" / "WallClock.swift"
    line = add_line(runtime_file, "import Hummingbird")
    result = check(package)
    assert result.returncode == 1
    assert f"Sources/AlmanacRuntime/Support/WallClock.swift:{line}: imports Hummingbird, which target AlmanacRuntime does not declare" in result.stdout


def test_a_domain_library_that_reaches_for_io_fails(tmp_path):
    package = copy(tmp_path)
    file = package / "Sources" / "AlmanacMetrics" / "Sample.swift"
    # Declared for the target, so only the layer rule can refuse it.
    manifest = package / "Package.swift"
    manifest.write_text(manifest.read_text().replace(
        '.target(name: "AlmanacMetrics", dependencies: ["AlmanacConfig"]',
        '.target(name: "AlmanacMetrics", dependencies: ["AlmanacConfig", .product(name: "NIOCore", package: "swift-nio")]'))
    line = add_line(file, "import NIOCore")
    result = check(package)
    assert result.returncode == 1
    assert f"Sources/AlmanacMetrics/Sample.swift:{line}: the domain library AlmanacMetrics imports NIOCore" in result.stdout

    package = copy(tmp_path / "again")
    file = package / "Sources" / "AlmanacSLO" / "EventCounts.swift"
    line = add_line(file, "let leaked = FileManager.default.currentDirectoryPath", after_imports=False)
    result = check(package)
    assert result.returncode == 1
    assert f"Sources/AlmanacSLO/EventCounts.swift:{line}: the domain library AlmanacSLO uses FileManager" in result.stdout


def test_a_route_file_that_names_a_store_fails(tmp_path):
    package = copy(tmp_path)
    file = package / "Sources" / "AlmanacServer" / "Monitoring" / "AlertRoutes.swift"
    line = add_line(file, "let reachedPast: SQLAlertStore? = nil", after_imports=False)
    result = check(package)
    assert result.returncode == 1
    assert f"Sources/AlmanacServer/Monitoring/AlertRoutes.swift:{line}: the edge file names SQLAlertStore" in result.stdout
