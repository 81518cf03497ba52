/// A prepared text body as lines, for encoding many messages that differ only in a few values.
///
/// Quoted-printable and 7bit encode each line on its own, and the choice between them and base64
/// only sums over lines. A prepared message's lines without holes are the same in every message,
/// so they are measured and encoded once, each run of them into one stretch of bytes; per message
/// only the lines with a recipient's values are. A value never holds a line break (a prepared
/// message takes only values that pass ``PreparedMessage/fits(_:)``) and never is empty (an
/// empty value is no hole, see ``RecipientValues/replacing(_:)``), so the lines of every filled
/// body are the lines of the pattern.
struct LineLayout: Sendable {
    enum Segment: Sendable {
        /// Consecutive lines without holes: where they stand in `plain` and `quoted`.
        case fixed(plain: Range<Int>, quoted: Range<Int>)
        /// One line with holes, as pieces, without its line end.
        case holes([FillPattern.Piece])
    }

    let segments: [Segment]
    /// The fixed lines, each followed by CRLF: as 7bit writes them, and as base64 reads them.
    let plain: [UInt8]
    /// The fixed lines in quoted-printable, each ending in CRLF.
    let quoted: [UInt8]
    /// The measure of every fixed line together.
    let fixedStats: MessageEncoder.LineStats
    /// The length of the fixed lines and of every line end in the source text, which the choice
    /// of encoding counts with the text.
    let fixedByteCount: Int
    let lineCount: Int
    /// Whether values are HTML-escaped where they land (the HTML part).
    let escapingHTML: Bool

    /// Splits `pattern` at LF, CRLF or a lone CR, as ``MessageEncoder/splitLines(_:)`` splits its text.
    init(_ pattern: FillPattern, escapingHTML: Bool) {
        self.escapingHTML = escapingHTML
        var lines: [[FillPattern.Piece]] = []
        var current: [FillPattern.Piece] = []
        var literal: [UInt8] = []
        var lineEndBytes = 0
        var pendingCR = false
        func endLine() {
            if !literal.isEmpty { current.append(.literal(literal)) }
            literal = []
            lines.append(current)
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

        var segments: [Segment] = []
        var plain: [UInt8] = []
        var quoted: [UInt8] = []
        var stats = MessageEncoder.LineStats()
        var byteCount = lineEndBytes
        var runStart = (plain: 0, quoted: 0)
        func closeRun() {
            // Every fixed line adds at least its CRLF, so a run that took any line is not empty.
            if plain.count > runStart.plain {
                segments.append(
                    .fixed(plain: runStart.plain..<plain.count, quoted: runStart.quoted..<quoted.count))
            }
            runStart = (plain.count, quoted.count)
        }
        for line in lines {
            guard line.allSatisfy({ if case .literal = $0 { true } else { false } }) else {
                closeRun()
                segments.append(.holes(line))
                continue
            }
            var bytes: [UInt8] = []
            for case .literal(let piece) in line { bytes += piece }
            stats.add(bytes)
            byteCount += bytes.count
            plain += bytes
            plain += [13, 10]
            QuotedPrintable.append(lines: [bytes[...]], to: &quoted)
        }
        closeRun()
        self.segments = segments
        self.plain = plain
        self.quoted = quoted
        self.fixedStats = stats
        self.fixedByteCount = byteCount
        self.lineCount = lines.count
    }

    /// Writes the body filled with `slots`: the transfer-encoding header, a blank line and the
    /// lines, byte for byte what ``MessageEncoder`` writes for the filled text.
    func append(slots: [String], to out: inout [UInt8]) {
        var stats = fixedStats
        var byteCount = fixedByteCount
        var filled: [[UInt8]] = []
        for segment in segments {
            guard case .holes(let pieces) = segment else { continue }
            var bytes: [UInt8] = []
            FillPattern.append(pieces, slots: slots, escapingHTML: escapingHTML, to: &bytes)
            stats.add(bytes)
            byteCount += bytes.count
            filled.append(bytes)
        }
        MessageEncoder.appendBody(byteCount: byteCount, lineCount: lineCount, stats: stats, to: &out) {
            quoted, out in
            // Fixed runs as stretches of bytes, lines with values encoded here, in order.
            let source = quoted ? self.quoted : plain
            var next = 0
            for segment in segments {
                switch segment {
                case .fixed(let plain, let quotedRange):
                    source.withUnsafeBufferPointer {
                        out.append(contentsOf: $0[quoted ? quotedRange : plain])
                    }
                case .holes:
                    if quoted {
                        QuotedPrintable.append(lines: [filled[next][...]], to: &out)
                    } else {
                        out.append(contentsOf: filled[next])
                        out.append(contentsOf: [13, 10])
                    }
                    next += 1
                }
            }
        }
    }
}
