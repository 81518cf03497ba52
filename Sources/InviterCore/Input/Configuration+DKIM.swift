import Foundation

extension Configuration {
    /// `[dkim]`: the domain and selector the signatures name, and the private key files.
    public struct DKIM: Sendable {
        public var domain: String
        /// One signature per key (RSA, and optionally Ed25519 beside it), each under its own
        /// selector: each has its own DNS record.
        public var keys: [(selector: String, file: URL)]
    }

    /// Reads `[dkim]` and loads each key once, so a missing, public, weak or broken key is a
    /// `file:line` error before anything is sent; the keys themselves are loaded again where
    /// they sign. No error ever holds a key's bytes.
    static func readDKIM(_ table: TableReader?, from: MailAddress?, path: (String) -> URL) -> DKIM? {
        guard let table else { return nil }
        defer { table.finish() }
        let domain = table.string("domain", required: true)?.lowercased()
        if let domain, !Self.isDomainName(domain) {
            table.problem("domain", "\(domain.debugDescription) is not a domain name such as example.org")
        }
        let selectors = table.strings("selector", required: true) ?? []
        for selector in selectors where !Self.isDomainName(selector) {
            table.problem(
                "selector",
                "\(selector.debugDescription) is not a selector: letters, digits and hyphens (dots between parts), no spaces"
            )
        }
        let files = (table.strings("private_key_file", required: true) ?? []).map(path)
        for file in files {
            do {
                _ = try DKIMKeyFile.load(file)
            } catch {
                table.problem("private_key_file", error.description)
            }
        }
        if !selectors.isEmpty, !files.isEmpty, selectors.count != files.count {
            table.problem(
                "selector",
                "give one selector per key (\(files.count) keys, \(selectors.count) selectors): each key is "
                    + "published in DNS under its own selector")
        }
        if let domain, let from, !Self.aligned(String(from.domain).lowercased(), with: domain) {
            table.problem(
                "domain",
                "signs for \(domain) but mail is from \(from.domain): DMARC needs the signing domain to be the "
                    + "From address's domain or a parent of it",
                severity: .warning)
        }
        guard let domain, !files.isEmpty, selectors.count == files.count else { return nil }
        return DKIM(domain: domain, keys: Array(zip(selectors, files)))
    }

    /// Relaxed DMARC alignment: the same domain, or the From domain under the signing one.
    static func aligned(_ from: String, with domain: String) -> Bool {
        from == domain || from.hasSuffix("." + domain)
    }

    /// A DNS name of letter-digit-hyphen labels.
    public static func isDomainName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return !text.isEmpty && text.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }
}

/// A DKIM private key file, read as a secret is: a file others can read is refused.
public enum DKIMKeyFile {
    /// Why a key file cannot be used; names the file, never its content.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func load(_ file: URL) throws(Problem) -> DKIMKey {
        let path = file.path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw Problem(description: "cannot read \(path): it does not exist or is not accessible")
        }
        if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw Problem(
                description:
                    "\(path) can be read by other users (mode \(String(mode, radix: 8))); make it private with: chmod 600 \(path)"
            )
        }
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)
        else { throw Problem(description: "cannot read \(path) as text") }
        do {
            return try DKIMKey(pem: text)
        } catch {
            throw Problem(description: "\(path) \(error.description)")
        }
    }
}

extension DKIMSigner {
    /// The signer `[dkim]` describes, its keys loaded; nil without `[dkim]`.
    public static func load(_ configuration: Configuration) throws(DKIMKeyFile.Problem) -> DKIMSigner? {
        guard let dkim = configuration.dkim else { return nil }
        var keys: [Entry] = []
        for (selector, file) in dkim.keys {
            keys.append(Entry(selector: selector, key: try DKIMKeyFile.load(file)))
        }
        return DKIMSigner(domain: dkim.domain, keys: keys)
    }

    /// What to publish for each key: `selector._domainkey.domain IN TXT "…"`, the text split into
    /// strings of at most 255 bytes as DNS requires.
    public var dnsRecords: [String] {
        keys.map { entry in
            let selector = entry.selector
            let text = entry.key.dnsRecord
            var strings: [String] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                strings.append("\"" + rest.prefix(255) + "\"")
                rest = rest.dropFirst(255)
            }
            return "\(selector)._domainkey.\(domain). IN TXT ( \(strings.joined(separator: " ")) )"
        }
    }
}
