import AlmanacFlagdSync
import AlmanacRuntime
import GRPCCore
import ServiceLifecycle

/// flagd's sync protocol: an in-process provider (or flagd itself) opens `SyncFlags` and gets the
/// whole flag configuration at once, then again each time what serves here changes (a file
/// edit, a kill switch, a pin, a ramp's step), so it evaluates locally what OFREP would answer.
/// A client key is needed when keys are configured, as for OFREP: in `provider_id`, or in an
/// `authorization: Bearer` or `x-api-key` header.
struct FlagSyncService: Flagd_Sync_V1_FlagSyncService.ServiceProtocol {
    let flags: FlagService
    let clientKeys: ClientKeys

    func syncFlags(
        request: ServerRequest<Flagd_Sync_V1_SyncFlagsRequest>, context: ServerContext
    ) async throws -> StreamingServerResponse<Flagd_Sync_V1_SyncFlagsResponse> {
        try authorize(request.metadata, providerID: request.message.providerID)
        let file = try selected(request.message.selector, metadata: request.metadata)
        guard let (changes, id) = flags.changes.subscribe() else {
            throw RPCError(code: .resourceExhausted, message: "too many open flag streams on this server")
        }
        return StreamingServerResponse { writer in
            var sent = ""
            func send() async throws {
                let configuration = flags.flagdConfiguration(file: file)
                guard configuration != sent else { return }
                var message = Flagd_Sync_V1_SyncFlagsResponse()
                message.flagConfiguration = configuration
                try await writer.write(message)
                sent = configuration
            }
            // Ends with the server, as OFREP's change stream does: one handler per stream.
            try await withGracefulShutdownHandler {
                try await send()
                for await _ in changes { try await send() }
            } onGracefulShutdown: {
                flags.changes.end(id)
            }
            flags.changes.end(id)
            return [:]
        }
    }

    func fetchAllFlags(
        request: ServerRequest<Flagd_Sync_V1_FetchAllFlagsRequest>, context: ServerContext
    ) async throws -> ServerResponse<Flagd_Sync_V1_FetchAllFlagsResponse> {
        try authorize(request.metadata, providerID: request.message.providerID)
        var message = Flagd_Sync_V1_FetchAllFlagsResponse()
        message.flagConfiguration = flags.flagdConfiguration(file: try selected(request.message.selector, metadata: request.metadata))
        return ServerResponse(message: message)
    }

    private func authorize(_ metadata: Metadata, providerID: String) throws {
        guard !clientKeys.keys.isEmpty else { return }
        let bearer = metadata[stringValues: "authorization"].first { _ in true }.flatMap { header in
            header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)) : nil
        }
        let credential = bearer ?? metadata[stringValues: "x-api-key"].first { _ in true } ?? (providerID.isEmpty ? nil : providerID)
        switch clientKeys.access(credential) {
        case .allowed: return
        case .missing: throw RPCError(code: .unauthenticated, message: "a client key is needed: in provider_id, or authorization: Bearer KEY")
        case .forbidden: throw RPCError(code: .permissionDenied, message: "the client key matches none")
        }
    }

    /// flagd's selector (the `flagd-selector` header, or the request's deprecated field) names a
    /// flag file of the repository; empty selects every flag.
    private func selected(_ field: String, metadata: Metadata) throws -> String? {
        let selector = metadata[stringValues: "flagd-selector"].first { _ in true } ?? field
        guard !selector.isEmpty else { return nil }
        guard flags.evaluator.effective.values.contains(where: { $0.source.file == selector }) else {
            throw RPCError(code: .notFound, message: "no flag is defined in \(selector) (a selector names a flag file, such as flags/web.yaml)")
        }
        return selector
    }
}
