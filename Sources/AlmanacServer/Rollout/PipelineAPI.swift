import AlmanacRollout
import AlmanacRuntime
import Hummingbird

/// The pipeline API's bodies other than a rollout's, as the OpenAPI document gives them.
struct DriftList: Encodable { var hosts: [DriftRecord] }

struct DriftRecord: Encodable {
    var environment: String
    var host: String
    @AlwaysSent var revision: String?
    @AlwaysSent var expected: String?
    var driftingSeconds: Double

    init(_ entry: DriftReport.Entry) {
        (environment, host, revision, expected) = (entry.environment, entry.host, entry.revision, entry.expected)
        driftingSeconds = Double(entry.drifting) / 1000
    }
}

struct PipelineRecord: Encodable {
    struct Revision: Encodable {
        var hash: String
        var author: String
        var subject: String
        var issues: [String]
        var qa: String
    }

    var environment: String
    var hosts: [String]
    @AlwaysSent var running: String?
    var candidate: String
    @AlwaysSent var deployable: String?
    @AlwaysSent var blockedBy: String?
    @AlwaysSent var reason: String?
    var revisions: [Revision]
    var roles: [String: String]
    var singlePoints: [SinglePoint]

    struct SinglePoint: Encodable {
        var role, host: String
        var outageSeconds: Double
        var measured: Bool
    }

    init(_ status: PipelineService.Status) {
        roles = status.roles
        singlePoints = status.singlePoints.map {
            SinglePoint(role: $0.role, host: $0.host, outageSeconds: Double($0.outage) / 1000, measured: $0.measured)
        }
        (environment, hosts, running, candidate) = (status.environment.name, status.environment.hosts, status.running, status.candidate)
        let verdict = status.deployability
        (deployable, blockedBy, reason) = (verdict.deployable, verdict.blockedBy, verdict.reason)
        revisions = status.revisions.map { Revision(hash: $0.hash, author: $0.author, subject: $0.subject, issues: $0.issues, qa: $0.qa.rawValue) }
    }
}

struct RolloutList: Encodable { var rollouts: [RolloutRecord] }

struct FollowRecord: Encodable {
    var started: Bool
    @AlwaysSent var id: String?
    var reason: String
}

struct QARecord: Encodable {
    var revision: String
    var state: String
    var by: String
}

struct RolloutRequest: Decodable {
    var revision: String
    var overrideBudget: String?

    private enum CodingKeys: String, CodingKey {
        case revision
        case overrideBudget = "override_budget"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let revision = try? container.decode(String.self, forKey: .revision), !revision.isEmpty, revision.count <= 200 else {
            throw invalid(.revision, in: container, "required: the revision to roll out (a hash or a branch)")
        }
        self.revision = revision
        overrideBudget = try? container.decode(String.self, forKey: .overrideBudget)
    }
}

struct QARequest: Decodable {
    var state: String?
    var comment: String?
}

/// Unknown (404), busy or in the wrong phase (409), a revision that is wrong (400), and a spent
/// budget nobody overrode (409, pointing at `override_budget`).
extension RolloutError: APIProblem {
    public var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .conflict, .budget: .conflict
        case .badRevision: .badRequest
        }
    }

    public var fieldName: String? {
        switch self {
        case .notFound, .conflict: nil
        case .badRevision: "revision"
        case .budget: "override_budget"
        }
    }
}

extension PipelineService.Problem: APIProblem {
    public var status: HTTPResponse.Status { .badRequest }
    public var fieldName: String? { field }
}
