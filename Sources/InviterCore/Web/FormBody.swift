import Foundation

/// A request body as `inviter serve` reads it: `application/x-www-form-urlencoded` fields, and
/// whether a one-click unsubscribe asked for anything but an unsubscribe.
public enum FormBody {
    /// The largest body any route reads; a larger one is refused with 413 before it is parsed.
    public static let limit = 16 * 1024

    /// The fields of an urlencoded body, in order (`+` is a space; a malformed escape stays as written).
    public static func fields(_ body: [UInt8]) -> [(String, String)] {
        let text = String(decoding: body, as: UTF8.self)
        return text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// What a `POST /unsubscribe/{token}` asks for. Mail programs send RFC 8058's
    /// `List-Unsubscribe=One-Click`, urlencoded or as multipart, and some send no body at all:
    /// the token decides, the body only tells the page's "subscribe again" and its button apart.
    public static func unsubscribeRequest(contentType: String?, body: [UInt8])
        -> WebService.UnsubscribeRequest
    {
        guard contentType?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false else {
            return .oneClick
        }
        let fields = Self.fields(body)
        if fields.contains(where: { $0 == ("action", "undo") }) { return .undo }
        if fields.contains(where: { $0 == ("confirm", "1") }) { return .page }
        return .oneClick
    }
}
