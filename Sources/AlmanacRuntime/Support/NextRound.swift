import ServiceLifecycle

/// Waits `seconds` before a background service's next round; false once the server is shutting
/// down, so every periodic service stops the same way.
func nextRound(after seconds: Double) async -> Bool {
    do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
        return !Task.isShuttingDownGracefully
    } catch {
        return false
    }
}
