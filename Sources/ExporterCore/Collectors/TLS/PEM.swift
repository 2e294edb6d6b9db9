/// The textual encoding of RFC 7468: `-----BEGIN LABEL-----`, base64, `-----END LABEL-----`.
/// Pure: bytes in, blocks out, so fixtures test it without OpenSSL.
enum PEM {
    struct Block: Equatable {
        var label: String
        /// Decoded only for certificate blocks; keys and other blocks are skipped undecoded.
        var der: [UInt8]
    }

    /// Labels that hold an X.509 certificate (RFC 7468 §5; `X509 CERTIFICATE` and `TRUSTED
    /// CERTIFICATE` are the OpenSSL variants).
    static let certificateLabels: Set<String> = ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]

    enum DecodeError: Error, Equatable {
        /// A certificate block without its END line or with bad base64.
        case corrupt(label: String, reason: String)
    }

    private static let begin = Array("-----BEGIN ".utf8)
    private static let end = Array("-----END ".utf8)
    private static let dashes = Array("-----".utf8)

    /// Whether the bytes hold a PEM BEGIN line at all (else they may be DER).
    static func looksLikePEM(_ bytes: [UInt8]) -> Bool { find(begin, in: bytes, from: 0) != nil }

    /// Every block in order; text around blocks is ignored (RFC 7468 §2 allows explanatory text).
    static func blocks(_ bytes: [UInt8]) throws(DecodeError) -> [Block] {
        var blocks: [Block] = []
        var position = 0
        while let start = find(begin, in: bytes, from: position) {
            let labelStart = start + begin.count
            guard let labelEnd = find(dashes, in: bytes, from: labelStart) else {
                throw .corrupt(label: "?", reason: "BEGIN line not terminated")
            }
            let label = String(decoding: bytes[labelStart..<labelEnd], as: UTF8.self)
            let bodyStart = labelEnd + dashes.count
            let endLine = end + Array(label.utf8) + dashes
            guard let bodyEnd = find(endLine, in: bytes, from: bodyStart) else {
                if certificateLabels.contains(label) { throw .corrupt(label: label, reason: "no END line") }
                break
            }
            position = bodyEnd + endLine.count
            guard certificateLabels.contains(label) else {
                blocks.append(Block(label: label, der: []))
                continue
            }
            guard let der = Base64.decode(bytes[bodyStart..<bodyEnd]), !der.isEmpty else {
                throw .corrupt(label: label, reason: "invalid base64")
            }
            blocks.append(Block(label: label, der: der))
        }
        return blocks
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var i = from
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

/// Base64 (RFC 4648 §4) with whitespace skipped, as in PEM bodies.
enum Base64 {
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0, bits = 0, padding = 0
        for c in text {
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "="): padding += 1; continue
            default:
                // RFC 1421 headers (`Proc-Type: …`) only occur in encrypted keys, never in certificates.
                guard padding == 0 else { return nil }
                let v = table[Int(c)]
                guard v != 0xFF else { return nil }
                accumulator = accumulator << 6 | UInt32(v)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
        }
        guard padding <= 2, bits < 6 else { return nil }
        return out
    }
}
