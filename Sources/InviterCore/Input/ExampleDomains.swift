/// The domains reserved for examples (RFC 2606, RFC 6761), which the demo network and the
/// README use: a configuration that still names one after it was copied is not ready to send.
enum ExampleDomains {
    private static let domains: Set<String> = ["example.org", "example.com", "example.net"]
    private static let topLevel: Set<String> = ["example", "invalid"]

    /// Whether `host` is one of them or below one (`herning-steel.example.com`), in any letter case.
    static func contains(_ host: String) -> Bool {
        var name = host.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        if let last = name.split(separator: ".").last, topLevel.contains(String(last)) { return true }
        return domains.contains { name == $0 || name.hasSuffix("." + $0) }
    }
}
