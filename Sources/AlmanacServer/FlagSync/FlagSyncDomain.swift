import AlmanacRuntime
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import Logging
import ServiceLifecycle

/// flagd's sync protocol over gRPC on `--sync-port`, for flagd's in-process providers: a server
/// beside the HTTP one, in every replica (each serves the flags it holds).
struct FlagSyncDomain: Domain {
    let jobs: [ClusterJob]

    init(_ configuration: ServerConfiguration, flags: FlagsDomain, logger: Logger) {
        guard let port = configuration.syncPort else {
            jobs = []
            return
        }
        let service = FlagSyncService(flags: flags.flags, clientKeys: ClientKeys(keys: configuration.clientKeys))
        jobs = [
            ClusterJob("flagd sync", FlagSyncServer(host: configuration.host, port: port, service: service, logger: logger), scope: .everyReplica)
        ]
    }

    var reloadables: [any Reloadable] { [] }
    var navigation: [NavigationEntry] { [] }
    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> { RouteCollection(context: AlmanacRequestContext.self) }
}

/// The gRPC server as a lifecycle service: it stops taking calls at graceful shutdown, and the
/// open streams end then too.
struct FlagSyncServer: Service {
    let host: String
    let port: Int
    let service: FlagSyncService
    let logger: Logger

    func run() async throws {
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [service])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            if let address = try await transport.listeningAddress.ipv4 {
                logger.notice("serving flagd's sync protocol", metadata: ["address": "\(address.host):\(address.port)"])
            }
            try await gracefulShutdown()
            server.beginGracefulShutdown()
        }
    }
}
