import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plain HTTP over loopback for tests: what any client sees, no in-process shortcuts.
public enum HTTP {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    /// No answer within this long (beyond URLSession's own 60 s) fails the request: on Linux a
    /// request has been seen never to complete, and a whole Swift run then hung until CI's limit.
    static let patience: Duration = .seconds(90)

    struct NoAnswer: Error, CustomStringConvertible {
        var description: String
    }

    public static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: String? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await answer(request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
    }

    /// The callback API with a deadline of our own, resumed once by whichever comes first.
    private static func answer(_ request: URLRequest) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
            let once = Once(continuation)
            let task = URLSession.shared.dataTask(with: request) { data, response, error in
                if let data, let response { once.finish(.success((data, response))) } else { once.finish(.failure(error ?? URLError(.unknown))) }
            }
            once.task = task
            task.resume()
            let what = "\(request.httpMethod ?? "GET") \(request.url?.absoluteString ?? "")"
            Task {
                try? await Task.sleep(for: patience)
                once.task?.cancel()
                once.finish(.failure(NoAnswer(description: "no answer to \(what) within 90 s")))
            }
        }
    }
}

/// Resumes its continuation once; the lock makes the callback's and the deadline's threads safe
/// (unchecked: URLSession's types are not Sendable on Linux).
private final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<(Data, URLResponse), any Error>?
    var task: URLSessionDataTask?

    init(_ continuation: CheckedContinuation<(Data, URLResponse), any Error>) {
        self.continuation = continuation
    }

    func finish(_ result: Result<(Data, URLResponse), any Error>) {
        lock.lock()
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(with: result)
    }
}
