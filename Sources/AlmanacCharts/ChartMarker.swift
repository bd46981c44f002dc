/// A change drawn across a chart at its moment: a rollout, a rollback or a flag change, so a
/// step in a series can be read against what was deployed or switched then.
public struct ChartMarker: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case rollout, rollback, flag

        var color: String {
            switch self {
            case .rollout: "#1f7a4d"
            case .rollback: "#c0392b"
            case .flag: "#b9770e"
            }
        }

        /// One letter at the top of the line, so the kinds are told apart without colour.
        var letter: String {
            switch self {
            case .rollout: "R"
            case .rollback: "B"
            case .flag: "F"
            }
        }
    }

    /// Milliseconds since 1970.
    public var time: Int64
    public var kind: Kind
    /// What a pointer over the line says: `rollout of production to 3f2a9c1 by ana`.
    public var label: String

    public init(time: Int64, kind: Kind, label: String) {
        self.time = time
        self.kind = kind
        self.label = label
    }

    /// Vertical lines at `x` positions between `top` and `bottom`, with the kind's letter above.
    static func svg(_ markers: [(x: Double, marker: ChartMarker)], top: Double, bottom: Double) -> String {
        var out = ""
        for (x, marker) in markers {
            let at = String(format: "%.1f", x)
            out += "<g class=\"marker \(marker.kind.rawValue)\" data-time=\"\(marker.time)\"><title>\(svgEscape(marker.label))</title>"
            out += "<line x1=\"\(at)\" x2=\"\(at)\" y1=\"\(String(format: "%.1f", top))\" y2=\"\(String(format: "%.1f", bottom))\""
            out += " stroke=\"\(marker.kind.color)\" stroke-width=\"1.5\" opacity=\"0.75\"/>"
            out += "<text x=\"\(at)\" y=\"\(String(format: "%.1f", top - 3))\" font-size=\"9\" text-anchor=\"middle\" fill=\"\(marker.kind.color)\""
            out += " font-family=\"sans-serif\">\(marker.kind.letter)</text></g>"
        }
        return out
    }
}
