import Foundation

/// Writes each message as an `.eml` file into a folder instead of sending it.
///
/// For demos, previews and networks without a relay: the files open in any
/// mail program. Each file is written under a temporary name and renamed, so
/// a run killed halfway never leaves a half-written message behind.
public struct OutboxTransport: Transport {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func deliver(
        _ envelopes: [Envelope], gate: any HandOverGate, report: @escaping @Sendable (DeliveryResult) -> Void
    ) async throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TransportError.configuration(
                "cannot create the outbox folder \(directory.path): \(error.localizedDescription)")
        }
        let cleared = DispatchSemaphore(value: 0)
        gate.whenCleared { cleared.signal() }
        defer { gate.finish() }
        for (index, envelope) in envelopes.enumerated() {
            if Task.isCancelled { return }
            do {
                // Files are written one at a time: wait until this one is recorded as being sent.
                while try gate.cleared(toward: index) <= index { cleared.wait() }
            } catch {
                throw TransportError.configuration("cannot record the message as being sent: \(error)")
            }
            if gate.isWithheld(index) { continue }
            let target = directory.appendingPathComponent(OutboxTransport.fileName(for: envelope.key.text))
            let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).partial")
            do {
                try Data(envelope.data).write(to: temporary)
                // rename(2) replaces an existing file atomically; a resent message overwrites its earlier copy.
                guard rename(temporary.path, target.path) == 0 else {
                    throw CocoaError(
                        .fileWriteUnknown,
                        userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
                }
                report(
                    DeliveryResult(
                        key: envelope.key, outcome: .delivered, reply: nil,
                        detail: "written to \(target.path)")
                )
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                report(
                    DeliveryResult(
                        key: envelope.key, outcome: .temporary, reply: nil,
                        detail: "could not write \(target.path): \(error.localizedDescription)"))
            }
        }
    }

    /// One file at a time: a run killed while writing leaves at most the next one or two in doubt.
    public var handOverGroup: Int { 1 }

    /// A file name made from the envelope's identity, so the same message always lands in the
    /// same file: ASCII letters and digits, `.`, `-`, `_`, `@` and `+` kept, anything else (a `/`
    /// from a mailing id, a letter outside ASCII) as `_`; at most the first 180 characters, so a
    /// long id stays within a file system's 255 bytes; a leading `.` as `_`, so no file is hidden;
    /// and always ending in `.eml`, which a preview replaces with its own extensions.
    public static func fileName(for id: String) -> String {
        // ASCII letters and digits are the ASCII scalars that are alphabetic or digits; checked
        // as bytes, since a preview names two files per message.
        var name: [UInt8] = []
        for scalar in id.unicodeScalars.prefix(180) {
            let value = scalar.value
            let keep =
                (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x30 && value <= 0x39)
                || value == 0x2D || value == 0x5F || value == 0x2E || value == 0x40 || value == 0x2B
            name.append(keep ? UInt8(value) : UInt8(ascii: "_"))
        }
        if name.first == UInt8(ascii: ".") { name[0] = UInt8(ascii: "_") }
        return String(decoding: name, as: UTF8.self) + ".eml"
    }
}
