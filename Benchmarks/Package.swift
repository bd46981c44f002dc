// swift-tools-version: 6.1
import PackageDescription

// In-process benchmarks, kept apart from the main package so its build and tests never pay for them.
let package = Package(
    name: "AlmanacBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "FlagEvaluation",
            dependencies: [
                .product(name: "AlmanacFlags", package: "main"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/FlagEvaluation",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        )
    ]
)
