/// A prepared text body as lines, for encoding many messages that differ only in a few values.
///
/// Quoted-printable and 7bit encode each line on its own, and the choice between them and base64
/// only sums over lines. A prepared message's lines without holes are the same in every message,
/// so they are measured and encoded once; per message only the lines with a recipient's values
/// are. A value never holds a line break (`RecipientValues.fitsHoles`) and never is empty, so the
/// lines of every filled body are the lines of the pattern.
struct LineLayout: Sendable {
    struct Line: Sendable {
        /// The line's pieces, without its line end.
        var pieces: [FillPattern.Piece]
        /// For a line without holes: its bytes, its measure and its quoted-printable, made once.
        var fixed: Fixed?
    }

    struct Fixed: Sendable {
        var bytes: [UInt8]
        var stats: MessageEncoder.LineStats
        var quotedPrintable: [UInt8]
    }

    let lines: [Line]
    /// The length of the line ends, which the choice of encoding counts with the text.
    let lineEndBytes: Int
    /// Whether values are HTML-escaped where they land (the HTML part).
    let escapingHTML: Bool

    /// Splits `pattern` at LF, CRLF or a lone CR, as `MessageEncoder.splitLines` splits its text.
    init(_ pattern: FillPattern, escapingHTML: Bool) {
        self.escapingHTML = escapingHTML
        var lines: [Line] = []
        var current: [FillPattern.Piece] = []
        var literal: [UInt8] = []
        var lineEndBytes = 0
        var pendingCR = false
        func endLine() {
            if !literal.isEmpty { current.append(.literal(literal)) }
            literal = []
            lines.append(Line(pieces: current, fixed: nil))
            current = []
        }
        for piece in pattern.pieces {
            switch piece {
            case .slot:
                pendingCR = false
                if !literal.isEmpty { current.append(.literal(literal)) }
                literal = []
                current.append(piece)
            case .literal(let bytes):
                for byte in bytes {
                    if byte == 10, pendingCR {
                        // The LF of a CRLF whose CR already ended the line.
                        pendingCR = false
                        lineEndBytes += 1
                        continue
                    }
                    pendingCR = false
                    if byte == 10 || byte == 13 {
                        endLine()
                        lineEndBytes += 1
                        pendingCR = byte == 13
                    } else {
                        literal.append(byte)
                    }
                }
            }
        }
        // A final line end does not start another line.
        if !literal.isEmpty || !current.isEmpty { endLine() }
        self.lines = lines.map { line in
            guard line.pieces.allSatisfy({ if case .literal = $0 { true } else { false } }) else {
                return line
            }
            var bytes: [UInt8] = []
            for case .literal(let piece) in line.pieces { bytes += piece }
            var stats = MessageEncoder.LineStats()
            stats.add(bytes)
            var quotedPrintable: [UInt8] = []
            QuotedPrintable.append(lines: [bytes[...]], to: &quotedPrintable)
            return Line(
                pieces: line.pieces,
                fixed: Fixed(bytes: bytes, stats: stats, quotedPrintable: quotedPrintable))
        }
        self.lineEndBytes = lineEndBytes
    }

    /// Writes the body filled with `slots`: the transfer-encoding header, a blank line and the
    /// lines, byte for byte what `MessageEncoder` writes for the filled text.
    func append(slots: [String], to out: inout [UInt8]) {
        var stats = MessageEncoder.LineStats()
        var byteCount = lineEndBytes
        var filled: [[UInt8]] = []
        filled.reserveCapacity(lines.count)
        var encoded: [[UInt8]?] = []
        encoded.reserveCapacity(lines.count)
        for line in lines {
            if let fixed = line.fixed {
                stats.add(fixed.stats)
                byteCount += fixed.bytes.count
                filled.append(fixed.bytes)
                encoded.append(fixed.quotedPrintable)
                continue
            }
            var bytes: [UInt8] = []
            for piece in line.pieces {
                switch piece {
                case .literal(let literal): bytes += literal
                case .slot(let index):
                    guard index < slots.count else { continue }
                    if escapingHTML {
                        HTMLEscape.append(slots[index], to: &bytes)
                    } else {
                        bytes += slots[index].utf8
                    }
                }
            }
            stats.add(bytes)
            byteCount += bytes.count
            filled.append(bytes)
            encoded.append(nil)
        }
        MessageEncoder.appendBody(
            filled.map { $0[...] }, byteCount: byteCount, stats: stats, to: &out, quotedPrintable: encoded)
    }
}

/// A prepared body's lines with one recipient's values, and the text they fill to.
final class FilledLines: Sendable {
    let layout: LineLayout
    let slots: [String]
    /// The filled text: the encoder uses the lines only while the part still says this.
    let text: String

    init(layout: LineLayout, slots: [String], text: String) {
        self.layout = layout
        self.slots = slots
        self.text = text
    }
}
