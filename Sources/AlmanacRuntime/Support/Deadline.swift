import Synchronization

/// Runs `operation` but stops waiting for it at `deadline`: nil then, while the operation
/// finishes (or not) on its own. For calls that may hang on a network that neither answers
/// nor fails, where a task group would wait for them however late.
func untilDeadline<T: Sendable>(
    _ deadline: Duration, on clock: WallClock, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T? {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T?, any Error>) in
        let outcome = FirstOutcome(continuation)
        let work = Task {
            do { outcome.settle(.success(try await operation())) } catch { outcome.settle(.failure(error)) }
        }
        Task {
            try? await clock.sleep(for: deadline - clock.elapsed())
            outcome.settle(.success(nil))
            work.cancel()
        }
    }
}

/// Resumes a continuation with whichever result comes first.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, any Error>?>

    init(_ continuation: CheckedContinuation<T?, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func settle(_ result: Result<T?, any Error>) {
        continuation.withLock { pending in
            pending?.resume(with: result)
            pending = nil
        }
    }
}
