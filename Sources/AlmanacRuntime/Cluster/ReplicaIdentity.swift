import Foundation

/// This process among the replicas: a name that says which machine and process it is (for
/// the person reading the cluster page) and stays unique across restarts.
public struct ReplicaIdentity: Sendable {
    public let id: String
    public let address: String
    public let startedAt: Int64

    public init(address: String, startedAt: Int64) {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let nonce = UUID().uuidString.prefix(6).lowercased()
        id = "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(nonce)"
        self.address = address
        self.startedAt = startedAt
    }
}
