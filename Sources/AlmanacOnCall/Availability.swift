/// When a person can be on call, read from the catalogue's free-text `availability` ("weekdays",
/// "evenings", "weekday evenings", "weekends"): the words Backstage users write there. Text this
/// does not know leaves the person available, and says so, rather than silently dropping them.
public enum Availability {
    static let weekdays: Set<Int> = [2, 3, 4, 5, 6]
    static let weekends: Set<Int> = [1, 7]

    /// The windows the text allows; nil when the text is not understood.
    public static func parse(_ text: String) -> Weekly? {
        let words = text.lowercased().replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
        guard !words.isEmpty else { return nil }
        var days: Set<Int>?
        var hours: (Int, Int)?
        for word in words {
            switch word {
            case "always", "anytime", "24/7": return .always
            case "weekdays", "weekday": days = weekdays
            case "weekends", "weekend": days = weekends
            case "evenings", "evening": hours = (18 * 60, 23 * 60)
            case "mornings", "morning": hours = (6 * 60, 12 * 60)
            case "afternoons", "afternoon": hours = (12 * 60, 18 * 60)
            case "nights", "night": hours = (22 * 60, 7 * 60)
            case "daytime", "days": hours = (8 * 60, 20 * 60)
            case "office", "hours": hours = (9 * 60, 18 * 60)
            case "and", "on", "only": continue
            default: return nil
            }
        }
        // "office hours" alone means weekdays too.
        if words.contains("office"), days == nil { days = weekdays }
        return Weekly(days: days ?? Weekly.allDays, from: hours?.0 ?? 0, to: hours?.1 ?? 24 * 60)
    }
}
