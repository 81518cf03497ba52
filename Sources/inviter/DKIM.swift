import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// DKIM keys: made here, published in DNS by the operator, named in `[dkim]`.
    struct DKIM: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dkim", abstract: "Make DKIM keys.", subcommands: [Keygen.self])

        struct Keygen: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a new DKIM private key (mode 600) and print the DNS record to publish.",
                discussion: """
                    RSA keys are 2048 bits (what every mailbox provider verifies); an Ed25519 key can \
                    sign beside one, as a second signature. An existing file is never overwritten.
                    """)

            @Option(help: "The signing domain, the From address's domain (or a parent of it).") var domain:
                String
            @Option(help: "The selector, such as inviter or inviter2027.") var selector: String
            @Option(help: "Where to write the private key (PEM).") var out: String
            @Option(help: "rsa or ed25519.") var algorithm: String = "rsa"

            func run() async throws {
                guard let kind = DKIMKey.Algorithm(rawValue: algorithm.lowercased()) else {
                    printError("error: --algorithm must be rsa or ed25519, not \(algorithm.debugDescription)")
                    throw ExitCodes.usage
                }
                let domain = self.domain.lowercased()
                guard Configuration.isDomainName(domain) else {
                    printError(
                        "error: --domain \(self.domain.debugDescription) is not a domain name such as example.org"
                    )
                    throw ExitCodes.usage
                }
                guard Configuration.isDomainName(selector) else {
                    printError(
                        "error: --selector \(selector.debugDescription) is not a selector: letters, digits and hyphens, no spaces"
                    )
                    throw ExitCodes.usage
                }
                let key = try DKIMKey(generating: kind)
                let path = URL(fileURLWithPath: out).path
                // Created private from the first byte (never a moment when others could read it),
                // and only when nothing is there: an existing key may already be published.
                let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                guard descriptor >= 0 else {
                    let reason = errno == EEXIST ? "it already exists" : String(cString: strerror(errno))
                    printError("error: cannot create \(path): \(reason)")
                    throw ExitCodes.configError
                }
                let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                do {
                    try handle.write(contentsOf: Data(key.pemRepresentation.utf8))
                    try handle.close()
                } catch {
                    printError("error: cannot write \(path): \(error.localizedDescription)")
                    throw ExitCodes.configError
                }
                let signer = DKIMSigner(domain: domain, selector: selector, key: key)
                print("Wrote the \(kind.rawValue) key to \(path) (mode 600). Publish this DNS record:")
                for record in signer.dnsRecords { print(record) }
                print(
                    """
                    Then add to the configuration:
                    [dkim]
                    domain = "\(domain)"
                    selector = "\(selector)"
                    private_key_file = "\(path)"
                    """)
            }
        }
    }
}
