// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Almanac",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "almanac", targets: ["almanac"]),
        .library(name: "AlmanacFlags", targets: ["AlmanacFlags"]),
        .library(name: "AlmanacMetrics", targets: ["AlmanacMetrics"]),
        .library(name: "AlmanacForecast", targets: ["AlmanacForecast"]),
        .library(name: "AlmanacStorage", targets: ["AlmanacStorage"]),
        .library(name: "AlmanacCatalog", targets: ["AlmanacCatalog"]),
        .library(name: "AlmanacConfig", targets: ["AlmanacConfig"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/pointfreeco/swift-clocks.git", from: "1.1.1"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // Shared, I/O-free: JSON values and config documents that remember where each value came from.
        .target(name: "AlmanacConfig", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strict),
        // The flag engine: parsing, compiled targeting, scopes, pins and lifecycle rules. No I/O.
        .target(name: "AlmanacFlags", dependencies: ["AlmanacConfig", "AlmanacExperiments"], swiftSettings: strict),
        // Metrics: exposition formats, series and their storage encoding. No I/O.
        .target(name: "AlmanacMetrics", dependencies: ["AlmanacConfig"], swiftSettings: strict),
        // Forecasts: Prometheus-exact linear functions now; robust trends and intervals to come. No I/O.
        .target(name: "AlmanacForecast", dependencies: ["AlmanacMetrics"], swiftSettings: strict),
        // Charts: SVG drawn by the server. No I/O.
        .target(name: "AlmanacCharts", swiftSettings: strict),
        // Alerts: rule files, selectors, rule evaluation and the alert state machine. No I/O.
        .target(name: "AlmanacAlerts", dependencies: ["AlmanacMetrics", "AlmanacForecast", "AlmanacConfig"], swiftSettings: strict),
        // Tables, numbers and dates as reports print them (Markdown, text, HTML). No I/O.
        .target(name: "AlmanacReporting", dependencies: ["AlmanacConfig"], swiftSettings: strict),
        // The service catalogue: Backstage descriptors with tiers, technologies and skills, the
        // coverage and risk reports, and the truck factor from history. No I/O.
        .target(name: "AlmanacCatalog", dependencies: ["AlmanacConfig", "AlmanacReporting", "AlmanacForecast"], swiftSettings: strict),
        // Documentation: Markdown pages with front matter tied to the catalogue, search, the static site. No I/O.
        .target(
            name: "AlmanacDocs", dependencies: ["AlmanacCatalog", "AlmanacConfig", "AlmanacReporting", .product(name: "Ink", package: "Ink")],
            swiftSettings: strict),
        // The image store audit: perceptual hashes, near-duplicate search, stratified estimates, access logs. No I/O.
        .target(name: "AlmanacImages", dependencies: ["AlmanacConfig", "AlmanacReporting", "AlmanacCharts"], swiftSettings: strict),
        // libvips from Debian (decoding with shrink-on-load, Lanczos resizing, WebP through libwebp), and the
        // few fixed-signature C calls Swift needs because libvips takes its options as C varargs. pkg-config
        // is asked for GLib's paths only: vips.pc adds -pthread, a flag SwiftPM refuses with a warning.
        .systemLibrary(name: "CVips", path: "Sources/CVips", pkgConfig: "glib-2.0", providers: [.apt(["libvips-dev"])]),
        .target(
            name: "AlmanacVips", dependencies: ["CVips"], path: "Sources/AlmanacVips",
            linkerSettings: [.linkedLibrary("vips"), .linkedLibrary("gobject-2.0"), .linkedLibrary("glib-2.0")]),
        // On call: rotations with hand-offs, restrictions and overrides, availability, iCalendar feeds. No I/O.
        .target(name: "AlmanacOnCall", dependencies: ["AlmanacConfig", "AlmanacReporting"], swiftSettings: strict),
        // Releases: pipeline files, QA states and the deployable revision, rollouts in waves with rollback. No I/O.
        .target(name: "AlmanacRollout", dependencies: ["AlmanacConfig"], swiftSettings: strict),
        // Database patches: patch folders and sqitch plans, read by PostgreSQL's own parser (libpg_query), each statement
        // classified hot or cold by the locks it takes. No I/O.
        .systemLibrary(name: "CPgQuery", path: "Sources/CPgQuery", providers: [.apt(["libpg-query-dev"])]),
        .target(name: "AlmanacPatches", dependencies: ["AlmanacConfig", "CPgQuery"], swiftSettings: strict),
        .target(name: "AlmanacExperiments", dependencies: ["AlmanacConfig", "AlmanacReporting"], swiftSettings: strict),
        // Scheduled jobs: cron expressions read and walked as Healthchecks' cronsim does, in any time zone. No I/O.
        .target(name: "AlmanacJobs", dependencies: ["AlmanacConfig"], swiftSettings: strict),
        // Trends and the thresholds sheet: growth, projected crossings, ranked; tables in every format. No I/O.
        .target(
            name: "AlmanacTrends",
            dependencies: ["AlmanacAlerts", "AlmanacConfig", "AlmanacForecast", "AlmanacMetrics", "AlmanacCharts", "AlmanacReporting"],
            swiftSettings: strict),
        // Capacity: load test files, thresholds, arrival schedules, latency histograms, the VPA
        // recommender's method and the patches it writes. No I/O.
        .target(
            name: "AlmanacCapacity", dependencies: ["AlmanacConfig", "AlmanacReporting", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: strict),
        // Cost and carbon: prices split OpenCost's way, energy by Cloud Carbon Footprint's method,
        // grid factors, SCI per unit of work. No I/O.
        .target(
            name: "AlmanacCosts", dependencies: ["AlmanacConfig", "AlmanacReporting", "AlmanacForecast", "AlmanacMetrics"], swiftSettings: strict),
        .target(name: "AlmanacChecks", dependencies: ["AlmanacConfig", "AlmanacCatalog"], swiftSettings: strict),
        // Service levels: SLO files, error budgets, burn rates and the Workbook's multiwindow alerts. No I/O.
        .target(
            name: "AlmanacSLO",
            dependencies: ["AlmanacConfig", "AlmanacCatalog", "AlmanacAlerts", "AlmanacMetrics", "AlmanacForecast", "AlmanacReporting"],
            swiftSettings: strict),
        .target(name: "AlmanacBackups", dependencies: ["AlmanacConfig", "AlmanacCatalog"], swiftSettings: strict),
        .target(
            name: "AlmanacAccess",
            dependencies: ["AlmanacConfig", .product(name: "Crypto", package: "swift-crypto"), .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: strict),
        // One SQL layer over SQLite (default) and PostgreSQL.
        .target(
            name: "AlmanacStorage",
            dependencies: [
                "AlmanacFlags", "AlmanacMetrics", "AlmanacAlerts", "AlmanacRollout", "AlmanacConfig", "AlmanacImages", "AlmanacExperiments",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The runtime: each domain's services, file loading and background jobs, stores, processes. No HTTP.
        .target(
            name: "AlmanacRuntime",
            dependencies: [
                "AlmanacFlags", "AlmanacStorage", "AlmanacConfig", "AlmanacMetrics", "AlmanacForecast", "AlmanacAlerts", "AlmanacTrends",
                "AlmanacCatalog", "AlmanacDocs", "AlmanacRollout", "AlmanacCapacity", "AlmanacCosts", "AlmanacChecks", "AlmanacBackups",
                "AlmanacAccess", "AlmanacSLO", "AlmanacOnCall", "AlmanacImages", "AlmanacVips", "AlmanacReporting", "AlmanacPatches",
                "AlmanacExperiments",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // HTTP edge: routes and pages that translate requests to runtime services; access per route group.
        // flagd's sync protocol (flagd.sync.v1): code generated once from Proto/ by protoc with swift-protobuf's and
        // grpc-swift-protobuf's plugins (scripts/generate-flagd-sync), and committed.
        .target(
            name: "AlmanacFlagdSync",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"), .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ], exclude: ["Proto"], swiftSettings: strict),
        .target(
            name: "AlmanacServer",
            dependencies: [
                "AlmanacRuntime", "AlmanacFlags", "AlmanacStorage", "AlmanacConfig", "AlmanacMetrics", "AlmanacForecast", "AlmanacAlerts",
                "AlmanacCharts", "AlmanacTrends", "AlmanacCatalog", "AlmanacReporting", "AlmanacDocs", "AlmanacRollout", "AlmanacCapacity",
                "AlmanacCosts", "AlmanacChecks", "AlmanacBackups", "AlmanacAccess", "AlmanacSLO", "AlmanacOnCall", "AlmanacExperiments",
                "AlmanacFlagdSync",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "almanac",
            dependencies: [
                "AlmanacFlags", "AlmanacStorage", "AlmanacRuntime", "AlmanacServer", "AlmanacConfig", "AlmanacTrends", "AlmanacMetrics",
                "AlmanacCatalog",
                "AlmanacDocs", "AlmanacCapacity", "AlmanacCosts", "AlmanacReporting", "AlmanacSLO", "AlmanacOnCall", "AlmanacImages",
                "AlmanacPatches", "AlmanacExperiments", "AlmanacJobs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Starts a real server (and, where asked, a real PostgreSQL) for tests.
        .target(
            name: "AlmanacTesting",
            dependencies: [
                "AlmanacServer", "AlmanacRuntime", "AlmanacStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AlmanacRuntimeTests",
            dependencies: [
                "AlmanacRuntime", "AlmanacStorage", "AlmanacTesting", "AlmanacFlags", "AlmanacAlerts", "AlmanacMetrics", "AlmanacConfig",
                "AlmanacCapacity", "AlmanacChecks",
                "AlmanacReporting", "AlmanacCosts", "AlmanacCatalog", "AlmanacImages", "AlmanacSLO", "AlmanacRollout", "AlmanacOnCall",
                "AlmanacTrends",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(name: "AlmanacConfigTests", dependencies: ["AlmanacConfig"], swiftSettings: strict),
        .testTarget(
            name: "AlmanacMetricsTests", dependencies: ["AlmanacMetrics", "AlmanacConfig"], resources: [.copy("Cases")], swiftSettings: strict),
        .testTarget(
            name: "AlmanacTrendsTests", dependencies: ["AlmanacTrends", "AlmanacAlerts", "AlmanacConfig", "AlmanacMetrics", "AlmanacReporting"],
            swiftSettings: strict),
        .testTarget(name: "AlmanacRolloutTests", dependencies: ["AlmanacRollout", "AlmanacConfig"], swiftSettings: strict),
        .testTarget(name: "AlmanacPatchesTests", dependencies: ["AlmanacPatches", "AlmanacConfig"], swiftSettings: strict),
        .testTarget(name: "AlmanacExperimentsTests", dependencies: ["AlmanacExperiments", "AlmanacConfig"], swiftSettings: strict),
        .testTarget(name: "AlmanacJobsTests", dependencies: ["AlmanacJobs", "AlmanacConfig"], swiftSettings: strict),
        .testTarget(
            name: "AlmanacCatalogTests", dependencies: ["AlmanacCatalog", "AlmanacConfig", "AlmanacDocs", "AlmanacRuntime", "AlmanacTesting"],
            swiftSettings: strict),
        .testTarget(name: "AlmanacCapacityTests", dependencies: ["AlmanacCapacity", "AlmanacConfig"], swiftSettings: strict),
        .testTarget(
            name: "AlmanacAccessTests", dependencies: ["AlmanacAccess", "AlmanacConfig", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: strict),
        .testTarget(name: "AlmanacBackupsTests", dependencies: ["AlmanacBackups", "AlmanacConfig", "AlmanacCatalog"], swiftSettings: strict),
        .testTarget(name: "AlmanacChecksTests", dependencies: ["AlmanacChecks", "AlmanacConfig", "AlmanacCatalog"], swiftSettings: strict),
        .testTarget(name: "AlmanacCostsTests", dependencies: ["AlmanacCosts", "AlmanacConfig", "AlmanacMetrics"], swiftSettings: strict),
        .testTarget(name: "AlmanacChartsTests", dependencies: ["AlmanacCharts"], swiftSettings: strict),
        .testTarget(name: "AlmanacImagesTests", dependencies: ["AlmanacImages"], swiftSettings: strict),
        .testTarget(name: "AlmanacOnCallTests", dependencies: ["AlmanacOnCall", "AlmanacConfig", "AlmanacReporting"], swiftSettings: strict),
        .testTarget(
            name: "AlmanacSLOTests", dependencies: ["AlmanacSLO", "AlmanacConfig", "AlmanacCatalog", "AlmanacMetrics"], swiftSettings: strict),
        .testTarget(
            name: "AlmanacAlertsTests", dependencies: ["AlmanacAlerts", "AlmanacMetrics", "AlmanacConfig"], swiftSettings: strict),
        .testTarget(
            name: "AlmanacForecastTests", dependencies: ["AlmanacForecast", "AlmanacMetrics", "AlmanacConfig"], resources: [.copy("Cases")], swiftSettings: strict),
        .testTarget(
            name: "AlmanacFlagsTests", dependencies: ["AlmanacFlags", "AlmanacConfig", "AlmanacExperiments"],
            resources: [.copy("Cases")], swiftSettings: strict
        ),
        .testTarget(
            name: "AlmanacServerTests",
            dependencies: [
                "AlmanacTesting", "AlmanacServer", "AlmanacRuntime", "AlmanacStorage", "AlmanacFlags", "AlmanacConfig", "AlmanacRollout",
                "AlmanacAlerts", "AlmanacMetrics", "AlmanacPatches", "AlmanacExperiments",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Clocks", package: "swift-clocks"),
            ],
            swiftSettings: strict
        ),
    ]
)
