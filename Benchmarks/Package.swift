// swift-tools-version: 6.1
import Foundation
import PackageDescription

// A path dependency is known by its folder's name, which differs between clones.
let almanac = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// In-process benchmarks, kept apart from the main package so its build and tests never pay for them.
let package = Package(
    name: "AlmanacBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "FlagEvaluation",
            dependencies: [
                .product(name: "AlmanacFlags", package: almanac),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/FlagEvaluation",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "Forecasting",
            dependencies: [
                .product(name: "AlmanacForecast", package: almanac),
                .product(name: "AlmanacMetrics", package: almanac),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/Forecasting",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "Catalog",
            dependencies: [
                .product(name: "AlmanacCatalog", package: almanac),
                .product(name: "AlmanacConfig", package: almanac),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/Catalog",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "Ingestion",
            dependencies: [
                .product(name: "AlmanacMetrics", package: almanac),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/Ingestion",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // Not a package-benchmark target: scripts/bench-ingest runs it beside promtool on the same input.
        .executableTarget(
            name: "IngestVersusPrometheus",
            dependencies: [
                .product(name: "AlmanacMetrics", package: almanac),
                .product(name: "AlmanacStorage", package: almanac),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/IngestVersusPrometheus",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Not a package-benchmark target: scripts/bench-http measures OFREP over HTTP against it.
        .executableTarget(
            name: "BareHandler",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Benchmarks/BareHandler",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
