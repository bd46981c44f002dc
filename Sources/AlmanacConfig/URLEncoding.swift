import Foundation

/// Percent-encoding for query strings and form bodies: every character but RFC 3986's
/// unreserved ones is encoded, so PromQL's `+`, `{` and `"`, or a secret's `:`, arrive as written.
public enum URLEncoding {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public static func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// `name=value&…` (`application/x-www-form-urlencoded`, query strings).
    public static func pairs(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(component($0))=\(component($1))" }.joined(separator: "&")
    }
}
