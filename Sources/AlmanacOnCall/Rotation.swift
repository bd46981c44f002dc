import Foundation

/// A team's on-call rotation from `oncall/*.yaml`: layers tried in order when an alert
/// escalates (primary, secondary, volunteers), each handing off between its people at a local
/// time, optionally only on some days and hours, and overrides for holidays and swaps.
public struct Rotation: Sendable {
    public struct Layer: Sendable {
        public var name: String
        /// In hand-off order; a catalogue Group is expanded by the loader.
        public var people: [String]
        /// A hand-off moment (ms): the first person's turn starts here.
        public var start: Int64
        public enum Length: Sendable, Equatable {
            /// Whole local days, so a weekly hand-off stays at 09:00 across a daylight-saving change.
            case days(Int)
            /// Fixed hours, for shifts shorter than a day.
            case milliseconds(Int64)
        }
        public var handoff: Length
        /// When the layer is on call at all; nil is always.
        public var restriction: Weekly?
        /// A volunteer layer: notified, never required; its gaps are not problems.
        public var bestEffort: Bool
        public var line: Int
    }

    public struct Override: Sendable {
        public var person: String
        public var layer: String
        public var start: Int64
        public var end: Int64
        public var reason: String
        public var line: Int
    }

    public var name: String
    /// The catalogue Group whose members are the team (broadcast, load).
    public var team: String
    public var zone: TimeZone
    public var layers: [Layer]
    public var overrides: [Override]
    public var file: String
    public var line: Int
}

/// Who holds a layer over a span, or why nobody does.
public struct Shift: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case regular, override
        /// The person whose turn it is cannot be on call then (catalogue availability).
        case unavailable
    }

    public var rotation: String
    public var layer: String
    public var person: String
    public var span: Span
    public var kind: Kind

    public init(rotation: String, layer: String, person: String, span: Span, kind: Kind) {
        self.rotation = rotation
        self.layer = layer
        self.person = person
        self.span = span
        self.kind = kind
    }
}
