import AlmanacRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// OFREP's change notifications (ADR-0008, server-sent events): a client that fetched the bulk
/// evaluation connects to the URL its `refreshConnections` names and hears `refetchEvaluation`
/// with the new configuration's etag the moment a change serves here: a kill switch, a pin, a
/// file edit, or another replica's change once this one picks it up.
struct OFREPStream: Sendable {
    let flags: FlagService
    static let path = "/ofrep/v1/changes"
    /// A subscriber whose last write took longer than this has stopped reading: its stream ends.
    static let slowWrite: Duration = .seconds(5)

    func add(to groups: AccessGroups) {
        groups.clients.get(RouterPath(Self.path)) { request, _ in
            guard let (stream, id) = flags.changes.subscribe() else {
                return JSONResponse.make(.serviceUnavailable, ["errorDetails": "too many open change streams; poll instead"])
            }
            let last = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int64($0) }
            let current = flags.changes.current
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "retry: 1000\n: connected\n\n"))
                    var sent = current.generation
                    // A client coming back after missing a change hears of it at once.
                    if let last, last < current.generation { try await writer.write(ByteBuffer(string: Self.event(current))) }
                    // Ends with the server: a stream never finishes on its own. One handler per
                    // stream, not per change: `cancelOnGracefulShutdown` cost 10 kB a subscriber.
                    try await withGracefulShutdownHandler {
                        for await change in stream {
                            let started = ContinuousClock.now
                            if change.generation > sent {
                                try await writer.write(ByteBuffer(string: Self.event(change)))
                                sent = change.generation
                            } else {
                                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            }
                            if ContinuousClock.now - started > Self.slowWrite { break }
                        }
                    } onGracefulShutdown: {
                        flags.changes.end(id)
                    }
                    try await writer.finish(nil)
                })
        }
    }

    static func event(_ change: FlagChanges.Change) -> String {
        let data = #"{"type":"refetchEvaluation","etag":"\"g\#(change.generation)\"","lastModified":\#(change.at / 1000)}"#
        return "id: \(change.generation)\nevent: message\ndata: \(data)\n\n"
    }
}
