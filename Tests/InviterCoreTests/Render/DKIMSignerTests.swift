import Foundation
import InviterTestSupport
import Testing

@testable import InviterCore

/// DKIM signatures checked by an independent verifier (dkimpy), with the public key passed in.
@Suite struct DKIMSignerTests {
    static let rsa = Result { try DKIMKey(generating: .rsa) }
    static let ed25519 = Result { try DKIMKey(generating: .ed25519) }

    static func golden(_ name: String) throws -> [UInt8] {
        let file = TestPaths.golden.appendingPathComponent("rendered/\(name).eml")
        return Array(try #require(FileManager.default.contents(atPath: file.path)))
    }

    @Test(arguments: [
        "invitation-da", "partner-ar", "rsvp-invitation-uk", "newsletter-pl", "cancellation-ro",
    ])
    func everySignatureVerifies(_ name: String) throws {
        let rsa = try Self.rsa.get()
        let ed25519 = try Self.ed25519.get()
        let signer = DKIMSigner(
            domain: "example.org",
            keys: [.init(selector: "inviter-ed", key: ed25519), .init(selector: "inviter", key: rsa)])
        let signed = try signer.sign(try Self.golden(name), at: Date(timeIntervalSince1970: 1_795_543_200))
        let records = ["inviter": rsa.dnsRecord, "inviter-ed": ed25519.dnsRecord]
        #expect(signer.verify(signed).map(\.selector) == ["inviter", "inviter-ed"])
        #expect(signer.verify(signed).allSatisfy { $0.valid }, "its own check agrees with dkimpy")
        let rsaOnly = try DKIMVerdict.check(signed, records: records)
        #expect(rsaOnly.count == 2)
        #expect(rsaOnly.first?.algorithm == "rsa-sha256", "RSA first")
        #expect(rsaOnly.first?.ok == true, "\(rsaOnly)")
        #expect(rsaOnly.first?.length == "", "never l=")
        let fields = Set(rsaOnly.first?.fields ?? [])
        for field in [
            "from", "to", "subject", "date", "message-id", "mime-version", "content-type", "list-id",
        ] {
            #expect(fields.contains(field), "\(field) is signed")
        }
        #expect(rsaOnly.last?.algorithm == "ed25519-sha256")
        #expect(rsaOnly.last?.selector == "inviter-ed")
        #expect(rsaOnly.last?.ok == true, "\(rsaOnly)")
        // No line of the new fields is longer than a relay would let stand.
        let head = String(decoding: signed.prefix(4000), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(head.prefix { !$0.hasPrefix("From:") }.allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func oneChangedByteInASignedFieldOrTheBodyFails() throws {
        let rsa = try Self.rsa.get()
        let signer = DKIMSigner(domain: "example.org", selector: "inviter", key: rsa)
        let signed = try signer.sign(try Self.golden("invitation-en"), at: Date())
        let text = String(decoding: signed, as: UTF8.self)
        for (from, to) in [
            ("Subject: Invitation", "Subject: Invitatiom"), ("Meet at the pub", "Meet at the pud"),
        ] {
            let changed = Array(text.replacingOccurrences(of: from, with: to).utf8)
            #expect(changed != signed, "\(from) is in the message")
            let verdict = try DKIMVerdict.check(changed, records: ["inviter": rsa.dnsRecord])
            #expect(verdict.first?.ok == false, "\(from) → \(to) must fail")
            #expect(signer.verify(changed).first?.valid == false, "its own check fails it too")
        }
        // Refolding whitespace, as a relay may, keeps a relaxed signature valid.
        let refolded = Array(text.replacingOccurrences(of: "Subject: ", with: "Subject:  ").utf8)
        #expect(try DKIMVerdict.check(refolded, records: ["inviter": rsa.dnsRecord]).first?.ok == true)
    }

    @Test func keysLoadFromTheirPEMAndBadOnesAreRefused() throws {
        let rsa = try Self.rsa.get()
        let loaded = try DKIMKey(pem: rsa.pemRepresentation)
        #expect(loaded.publicKeyBase64 == rsa.publicKeyBase64)
        let ed25519 = try Self.ed25519.get()
        #expect(try DKIMKey(pem: ed25519.pemRepresentation).publicKeyBase64 == ed25519.publicKeyBase64)
        #expect(ed25519.pemRepresentation.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(throws: DKIMKey.LoadError.self) {
            try DKIMKey(pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        }
        #expect(String(describing: rsa) == "<rsa key>", "a key never describes its bytes")
    }

    /// Every kind in every language of the golden set, signed with RSA and Ed25519.
    @Test func theWholeGoldenSetVerifies() throws {
        let signer = DKIMSigner(
            domain: "example.org",
            keys: [
                .init(selector: "inviter", key: try Self.rsa.get()),
                .init(selector: "ed", key: try Self.ed25519.get()),
            ])
        let golden = TestPaths.golden.appendingPathComponent("rendered")
        let names = try FileManager.default.contentsOfDirectory(atPath: golden.path).filter {
            $0.hasSuffix(".eml")
        }
        #expect(names.count > 80)
        let folder = try TestPaths.temporaryDirectory("dkim-golden")
        var files: [URL] = []
        for name in names {
            let bytes = Array(try Data(contentsOf: golden.appendingPathComponent(name)))
            let file = folder.appendingPathComponent(name)
            try Data(try signer.sign(bytes, at: Date(timeIntervalSince1970: 1_795_543_200))).write(to: file)
            files.append(file)
        }
        let verdicts = try DKIMVerdict.check(
            files: files,
            records: ["inviter": try Self.rsa.get().dnsRecord, "ed": try Self.ed25519.get().dnsRecord])
        let failed = verdicts.filter { !($0.value.count == 2 && $0.value.allSatisfy { $0.ok }) }
        #expect(failed.isEmpty, "\(failed.keys.sorted().prefix(5)): \(failed.values.first ?? [])")
    }

    /// RFC 6376 3.4.4's examples and edges: runs of whitespace, blank lines at the end, no final CRLF.
    @Test(arguments: [
        (" C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n"),
        ("a\r\n \t \r\n\r\nb", "a\r\n\r\n\r\nb\r\n"),
        ("\r\n\r\n", ""),
        ("", ""),
        ("x  y\t\r\n", "x y\r\n"),
    ])
    func relaxedBodyCanonicalization(_ body: String, _ canonical: String) {
        #expect(DKIMSigner.relaxedBody(Array(body.utf8)[...]) == Array(canonical.utf8))
    }

    /// The one-pass canonicalization against RFC 6376 3.4.4 read word for word (split into lines,
    /// each line's whitespace reduced, the empty lines at the end dropped), over bodies of every
    /// byte that matters: spaces, tabs, CRs and LFs alone and together, text, bytes above 127.
    @Test func relaxedBodyMatchesTheRFCsDefinitionForAnyBody() {
        func definition(_ body: [UInt8]) -> [UInt8] {
            var lines: [[UInt8]] = []
            var line: [UInt8] = []
            var index = 0
            while index < body.count {
                if body[index] == 13, index + 1 < body.count, body[index + 1] == 10 {
                    lines.append(line)
                    line = []
                    index += 2
                } else {
                    line.append(body[index])
                    index += 1
                }
            }
            if !line.isEmpty { lines.append(line) }
            lines = lines.map { line in
                var reduced: [UInt8] = []
                for byte in line {
                    let space = byte == 32 || byte == 9
                    if space, reduced.last == 32 { continue }
                    reduced.append(space ? 32 : byte)
                }
                if reduced.last == 32 { reduced.removeLast() }
                return reduced
            }
            while lines.last?.isEmpty == true { lines.removeLast() }
            return lines.flatMap { $0 + [13, 10] }
        }
        // A fixed linear congruential sequence: the same bodies on every run.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let alphabet: [UInt8] = [97, 98, 32, 9, 13, 10, 200, 46]
        for _ in 0..<5_000 {
            var body: [UInt8] = []
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for _ in 0..<Int(state >> 59) * 2 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                body.append(alphabet[Int(state >> 61)])
            }
            let prefix: [UInt8] = [120, 13, 10]
            let slice = (prefix + body)[prefix.count...]
            #expect(DKIMSigner.relaxedBody(slice) == definition(body), "\(body)")
        }
    }

    /// RFC 6376 3.4.5's example: names in lower case, no space around the colon, a folded value
    /// unfolded with its runs of whitespace one space, and a repeated field kept apart.
    @Test func relaxedHeaderCanonicalization() {
        let head = Array("A: X\r\nB : Y\t\r\n\tZ  \r\nSUBJECT:\t hi  there\r\nb: second\r\n".utf8)
        let fields = DKIMSigner.fields(head[...])
        var out: [UInt8] = []
        for field in fields {
            DKIMSigner.appendRelaxed(field.name, field.value, to: &out)
            out += [13, 10]
        }
        #expect(String(decoding: out, as: UTF8.self) == "a:X\r\nb:Y Z\r\nsubject:hi there\r\nb:second\r\n")
    }
}
