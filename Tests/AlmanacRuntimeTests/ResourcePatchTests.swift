import AlmanacCapacity
import AlmanacRuntime
import Foundation
import Testing

/// The patch `almanac capacity recommend --patch` writes, applied by the real `git apply` to
/// example Kubernetes, Compose and systemd files: one with resources to replace, one without.
@Suite struct ResourcePatchTests {
    static let values = ResourcePatch.Values(
        .init(
            cpu: .init(lower: 0.1, target: 0.25, upper: 0.5), memory: .init(lower: 1e8, target: 300 * 1_048_576, upper: 400 * 1_048_576),
            confidenceDays: 8, ooms: 0))

    static let kubernetes = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: search
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: search:1.4
                  # requests were guessed in 2023
                  resources:
                    requests:
                      cpu: 1
                      memory: 2Gi
                  ports:
                    - containerPort: 8080
                - name: sidecar
                  image: proxy:2
        """

    static let compose = """
        services:
          web:
            image: off/web:latest
            ports:
              - "80:80"
          worker:
            image: off/worker
            command: ["run"]
        volumes:
          data: {}

        """

    static let unit = """
        [Unit]
        Description=Open Food Facts search

        [Service]
        ExecStart=/usr/bin/search
        MemoryMax=4G

        [Install]
        WantedBy=multi-user.target

        """

    @Test func kubernetesReplacesTheContainersResources() throws {
        let text = try ResourcePatch.apply(Self.values, to: Self.kubernetes, kind: .kubernetes, name: "api")
        #expect(text.contains("          resources:\n            requests:\n              cpu: 250m\n              memory: 300Mi\n"))
        #expect(text.contains("            limits:\n              cpu: 500m\n              memory: 400Mi\n          ports:"))
        #expect(text.contains("# requests were guessed in 2023"))
        #expect(text.components(separatedBy: "resources:").count == 2)
        #expect(throws: ResourcePatch.Problem.self) { try ResourcePatch.apply(Self.values, to: Self.kubernetes, kind: .kubernetes, name: "db") }
    }

    @Test func composeAndSystemdGainTheirSettings() throws {
        let compose = try ResourcePatch.apply(Self.values, to: Self.compose, kind: .compose, name: "worker")
        #expect(
            compose.contains(
                "    command: [\"run\"]\n    deploy:\n      resources:\n        limits:\n          cpus: '0.5'\n          memory: 400M\n"))
        #expect(compose.contains("        reservations:\n          cpus: '0.25'\n          memory: 300M\nvolumes:"))
        let unit = try ResourcePatch.apply(Self.values, to: Self.unit, kind: .systemd)
        #expect(unit.contains("ExecStart=/usr/bin/search\nMemoryMax=400M\nCPUQuota=50%\nMemoryHigh=300M\n\n[Install]"))
    }

    @Test func gitAppliesThePatch() async throws {
        let repository = FileManager.default.temporaryDirectory.appendingPathComponent("patch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: repository + "/deploy", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: repository) }
        let files = [
            ("deploy/search.yaml", Self.kubernetes, ResourcePatch.Kind.kubernetes, "api"), ("docker-compose.yml", Self.compose, .compose, "worker"),
            ("deploy/search.service", Self.unit, .systemd, ""),
        ]
        var patch = ""
        for (path, text, kind, name) in files {
            try text.write(toFile: repository + "/" + path, atomically: true, encoding: .utf8)
            let new = try ResourcePatch.apply(Self.values, to: text, kind: kind, name: name)
            patch += LineDiff.unified(old: text, new: new, path: path)
        }
        try patch.write(toFile: repository + "/resources.diff", atomically: true, encoding: .utf8)
        for command in [["git", "init", "-q"], ["git", "apply", "--check", "resources.diff"], ["git", "apply", "resources.diff"]] {
            let result = try await ProcessRunner.run(["sh", "-c", "cd '\(repository)' && " + command.joined(separator: " ")])
            #expect(result.succeeded, "\(command): \(result.errors)")
        }
        for (path, text, kind, name) in files {
            let applied = try String(contentsOfFile: repository + "/" + path, encoding: .utf8)
            #expect(applied == (try ResourcePatch.apply(Self.values, to: text, kind: kind, name: name)))
        }
    }
}
