import AlmanacConfig
import AlmanacMetrics
import Testing

@Suite struct ScrapeConfigTests {
    func load(_ text: String, files: [String: String] = [:]) throws(ConfigError) -> [ScrapeTarget] {
        let root = try ConfigDocument.parse(text, file: "monitoring/targets.yaml")
        return try ScrapeConfig.targets(root) { (name: String) throws(ConfigError) -> ConfigNode in
            guard let text = files[name] else { throw ConfigError(file: name, line: 0, field: "", message: "no such file") }
            return try ConfigDocument.parse(text, file: name)
        }
    }

    @Test func staticListsAndTargetFiles() throws {
        let targets = try load(
            """
            defaults: {interval: 30s, timeout: 5s}
            jobs:
              - job: node
                targets: [db1:9100, web1:9100]
                labels: {service: database, environment: production}
                interval: 15s
              - job: web
                files: [targets/web.yaml]
                labels: {service: website}
            """, files: ["targets/web.yaml": "- targets: [web2:8080]\n  labels: {environment: staging}\n"])
        #expect(targets.count == 3)
        #expect(targets[0].url == "http://db1:9100/metrics")
        #expect(targets[0].interval == 15_000 && targets[0].timeout == 5_000)
        #expect(
            targets[0].labels == [
                Label("environment", "production"), Label("instance", "db1:9100"), Label("job", "node"), Label("service", "database"),
            ])
        #expect(
            targets[2].labels == [Label("environment", "staging"), Label("instance", "web2:8080"), Label("job", "web"), Label("service", "website")])
        #expect(targets[2].interval == 30_000)
    }

    @Test(arguments: [
        ("jobs:\n  - job: x\n    targets: [nohost]\n", "monitoring/targets.yaml:3: jobs[0].targets[0]: must be host:port"),
        (
            "jobs:\n  - job: x\n    targets: [a:1]\n    interval: soon\n",
            "monitoring/targets.yaml:4: jobs[0].interval: must be a duration such as 15s, 1m or 2h"
        ),
        (
            "jobs:\n  - job: x\n    targets: [a:1]\n    interval: 5s\n    timeout: 10s\n",
            "monitoring/targets.yaml:5: jobs[0].timeout: timeout must not exceed the interval"
        ),
        ("jobs:\n  - job: x\n    targets: [a:1, a:1]\n", "monitoring/targets.yaml:3: jobs[0].targets: target 'a:1' is listed twice in job 'x'"),
        (
            "jobs:\n  - job: x\n    targets: [a:1]\n    labels: {__bad: y}\n",
            "monitoring/targets.yaml:4: jobs[0].labels.__bad: invalid label name '__bad'"
        ),
        ("jobs:\n  - job: x\n", "monitoring/targets.yaml:2: jobs[0]: a job needs 'targets' or 'files'"),
    ])
    func reportsMistakes(text: String, message: String) {
        do {
            _ = try load(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description == message)
        }
    }
}
