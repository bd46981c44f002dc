import Foundation

extension Rotation {
    /// Every shift of every layer over `[from, to)`, in time order per layer. `available` gives
    /// a person's availability (nil: always) and the zone it is read in.
    public func shifts(from: Int64, to: Int64, available: (String) -> (Weekly, TimeZone)?) -> [Shift] {
        layers.flatMap { layer in shifts(layer, from: from, to: to, available: available) }
    }

    /// Who holds each layer at `moment`, in layer order; a layer nobody holds is left out.
    public func onCall(at moment: Int64, available: (String) -> (Weekly, TimeZone)?) -> [Shift] {
        shifts(from: moment, to: moment + 1, available: available).filter { $0.kind != .unavailable }
    }

    func shifts(_ layer: Layer, from: Int64, to: Int64, available: (String) -> (Weekly, TimeZone)?) -> [Shift] {
        guard !layer.people.isEmpty, from < to else { return [] }
        var out: [Shift] = []
        for (index, turn) in turns(layer, from: from, to: to) {
            let person = layer.people[((index % layer.people.count) + layer.people.count) % layer.people.count]
            let duty = layer.restriction.map { $0.spans(from: turn.start, to: turn.end, zone: zone) } ?? [turn]
            if let (window, personalZone) = available(person) {
                let free = window.spans(from: turn.start, to: turn.end, zone: personalZone)
                out += Span.intersect(duty, free).map { Shift(rotation: name, layer: layer.name, person: person, span: $0, kind: .regular) }
                out += Span.subtract(duty, free).map { Shift(rotation: name, layer: layer.name, person: person, span: $0, kind: .unavailable) }
            } else {
                out += duty.map { Shift(rotation: name, layer: layer.name, person: person, span: $0, kind: .regular) }
            }
        }
        // Overrides take their span from whoever had it, whatever their availability said.
        let taken = overrides.filter { $0.layer == layer.name && $0.start < to && from < $0.end }
        let spans = taken.map { Span(max($0.start, from), min($0.end, to)) }
        out = out.flatMap { shift in
            Span.subtract([shift.span], spans).map { Shift(rotation: name, layer: layer.name, person: shift.person, span: $0, kind: shift.kind) }
        }
        out += zip(taken, spans).map { Shift(rotation: name, layer: layer.name, person: $0.person, span: $1, kind: .override) }
        return out.sorted { $0.span < $1.span }
    }

    /// The hand-off periods overlapping `[from, to)`, numbered from the layer's start (negative before it).
    func turns(_ layer: Layer, from: Int64, to: Int64) -> [(Int, Span)] {
        switch layer.handoff {
        case .milliseconds(let length):
            var index = Int(floorDiv(from - layer.start, length))
            var out: [(Int, Span)] = []
            while layer.start + Int64(index) * length < to {
                let start = layer.start + Int64(index) * length
                out.append((index, Span(max(start, from), min(start + length, to))))
                index += 1
            }
            return out
        case .days(let days):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let anchor = Date(timeIntervalSince1970: Double(layer.start) / 1000)
            func boundary(_ k: Int) -> Int64 {
                Int64((calendar.date(byAdding: .day, value: k * days, to: anchor) ?? anchor).timeIntervalSince1970 * 1000)
            }
            // A first guess by plain days, corrected by the calendar's own boundaries.
            var index = Int(floorDiv(from - layer.start, Int64(days) * 86_400_000))
            while boundary(index) > from { index -= 1 }
            while boundary(index + 1) <= from { index += 1 }
            var out: [(Int, Span)] = []
            while boundary(index) < to {
                out.append((index, Span(max(boundary(index), from), min(boundary(index + 1), to))))
                index += 1
            }
            return out
        }
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
