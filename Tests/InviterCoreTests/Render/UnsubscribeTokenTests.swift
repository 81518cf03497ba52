import Foundation
import InviterCore
import Testing

@Suite struct UnsubscribeTokenTests {
    let secret = Secret("a long random secret from the environment")
    let network = "International Society Herning#members"

    @Test func verifiesItsOwnTokens() {
        let token = UnsubscribeToken.make(address: "Mette@Example.org", network: network, secret: secret)
        #expect(UnsubscribeToken.verify(token, network: network, secret: secret) == "mette@example.org")
        #expect(
            token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." },
            "URL-safe: \(token)")
    }

    @Test func rejectsEveryChangedByte() {
        let token = UnsubscribeToken.make(address: "mette@example.org", network: network, secret: secret)
        let characters = Array(token)
        for index in characters.indices where characters[index] != "." {
            var changed = characters
            changed[index] = changed[index] == "A" ? "B" : "A"
            #expect(
                UnsubscribeToken.verify(String(changed), network: network, secret: secret) == nil,
                "changed at \(index)")
        }
    }

    @Test func cannotBeMovedToAnotherAddressNetworkOrSecret() {
        let mine = UnsubscribeToken.make(address: "mette@example.org", network: network, secret: secret)
        let theirs = UnsubscribeToken.make(address: "olena@example.org", network: network, secret: secret)
        let parts = mine.split(separator: ".")
        let otherParts = theirs.split(separator: ".")
        // Olena's address with Mette's MAC.
        #expect(
            UnsubscribeToken.verify("\(otherParts[0]).\(parts[1])", network: network, secret: secret) == nil)
        #expect(UnsubscribeToken.verify(mine, network: "Another network#members", secret: secret) == nil)
        #expect(
            UnsubscribeToken.verify(mine, network: "International Society Herning#partners", secret: secret)
                == nil)
        #expect(UnsubscribeToken.verify(mine, network: network, secret: Secret("another secret")) == nil)
    }

    @Test(arguments: ["", ".", "abc", "abc.def.ghi", "!!!.???", "bWV0dGVAZXhhbXBsZS5vcmc."])
    func rejectsMalformedTokens(_ token: String) {
        #expect(UnsubscribeToken.verify(token, network: network, secret: secret) == nil)
    }
}
