import AlmanacCapacity
import AlmanacConfig
import Foundation

/// What each service requests on a host, from the workloads of `capacity/resources.yaml` and
/// the files that run them (what `almanac capacity recommend --patch` writes): a service's
/// workloads add up. No resources file means no requests: usage alone is charged.
public enum CostRequests {
    public static func load(configDirectory: String, repository: String) throws(ConfigError) -> [String: ServiceRequest] {
        guard FileManager.default.fileExists(atPath: configDirectory + "/" + ResourcesFile.path) else { return [:] }
        let text = try ConfigFolder.read(root: configDirectory, file: ResourcesFile.path)
        let (_, workloads) = try ResourcesFile.parse(try ConfigDocument.parse(text, file: ResourcesFile.path))
        var requests: [String: ServiceRequest] = [:]
        for workload in workloads {
            guard let file = workload.file, let kind = workload.kind else { continue }
            let values = try ResourceRequests.read(
                try ConfigFolder.read(root: repository, file: file), kind: kind, name: workload.container, file: file)
            var sum = requests[workload.service] ?? ServiceRequest()
            if let cpu = values.cpu { sum.cpu = (sum.cpu ?? 0) + cpu }
            if let bytes = values.memoryBytes { sum.memoryGB = (sum.memoryGB ?? 0) + bytes / 1_073_741_824 }
            requests[workload.service] = sum
        }
        return requests
    }
}
