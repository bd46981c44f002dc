import AlmanacCapacity
import AlmanacConfig
import Testing

/// Requests read back from the three kinds of files the recommender patches, in each tool's units.
@Suite struct ResourceRequestsTests {
    @Test func kubernetesComposeAndSystemd() throws {
        let deployment = """
            apiVersion: v1
            kind: Service
            metadata: {name: search}
            ---
            apiVersion: apps/v1
            kind: Deployment
            spec:
              template:
                spec:
                  containers:
                    - name: sidecar
                      resources: {requests: {cpu: 50m, memory: 64Mi}}
                    - name: search
                      resources:
                        requests: {cpu: 250m, memory: 1Gi}
                        limits: {cpu: "1", memory: 2G}
            """
        let k8s = try ResourceRequests.read(deployment, kind: .kubernetes, name: "search", file: "k8s/search.yaml")
        #expect(k8s.cpu == 0.25 && k8s.memoryBytes == 1_073_741_824)
        let compose = """
            services:
              search:
                image: search
                deploy:
                  resources:
                    reservations: {cpus: '0.5', memory: 512M}
            """
        let c = try ResourceRequests.read(compose, kind: .compose, name: "search", file: "compose.yaml")
        #expect(c.cpu == 0.5 && c.memoryBytes == 512 * 1_048_576)
        let unit = "[Unit]\nDescription=search\n\n[Service]\nExecStart=/usr/bin/search\nMemoryHigh=1G\nMemoryMax=2G\n"
        let s = try ResourceRequests.read(unit, kind: .systemd, name: nil, file: "search.service")
        #expect(s.cpu == nil && s.memoryBytes == 1_073_741_824)
        #expect(try ResourceRequests.read("[Service]\nExecStart=x\n", kind: .systemd, name: nil, file: "x.service").memoryBytes == nil)
    }

    @Test func badQuantitiesSayWhere() {
        func problem(_ text: String, _ kind: ResourcePatch.Kind, _ name: String?) -> String {
            do {
                _ = try ResourceRequests.read(text, kind: kind, name: name, file: "f.yaml")
                return "read"
            } catch { return "\(error)" }
        }
        #expect(problem("spec:\n  containers:\n    - name: a\n      resources: {requests: {cpu: lots}}\n", .kubernetes, "a").contains("f.yaml:4"))
        #expect(problem("spec:\n  containers:\n    - name: a\n", .kubernetes, "b").contains("no container named 'b'"))
        #expect(problem("services:\n  a: {deploy: {resources: {reservations: {memory: big}}}}\n", .compose, "a").contains("not a memory quantity"))
        #expect(problem("[Service]\nMemoryHigh=huge\n", .systemd, nil).contains("f.yaml:2"))
    }
}
