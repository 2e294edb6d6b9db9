/// What the collector needs from one access-log line.
struct AccessLogEntry: Equatable, Sendable {
    var status: Int
    /// `$request_time` in seconds, when the format has it.
    var requestTime: Double?
}

/// An nginx `log_format` (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format)
/// compiled into literals and variables, and matched against a line as bytes. Only `$status` and
/// `$request_time` are read; every other variable is skipped up to the literal that follows it.
struct AccessLogFormat: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        /// One variable, or several written without a literal between them (`$host$request_uri`),
        /// which cannot be told apart and are skipped together.
        case variable([String])
    }

    /// nginx's predefined `combined` format, the default of `access_log`.
    static let combined = #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#

    let text: String
    let pieces: [Piece]
    private let statusIndex: Int
    private let requestTimeIndex: Int?

    var hasRequestTime: Bool { requestTimeIndex != nil }

    /// `combined` by name, else a format in nginx's `$variable` / `${variable}` syntax.
    init(_ text: String) throws(CollectorError) {
        let full = text == "combined" ? Self.combined : text
        let pieces = Self.compile(full)
        guard let status = try Self.index(of: "status", in: pieces) else {
            throw CollectorError("nginx access-log format has no $status: \(full.prefix(200))", configuration: true)
        }
        self.text = full
        self.pieces = pieces
        statusIndex = status
        requestTimeIndex = try Self.index(of: "request_time", in: pieces)
    }

    /// The piece holding variable `name`, which must be a piece of its own to be read.
    private static func index(of name: String, in pieces: [Piece]) throws(CollectorError) -> Int? {
        guard let found = pieces.firstIndex(where: { if case .variable(let names) = $0 { names.contains(name) } else { false } })
        else { return nil }
        guard case .variable(let names) = pieces[found], names.count == 1 else {
            throw CollectorError("nginx access-log format: $\(name) must be set off from the next variable by text", configuration: true)
        }
        return found
    }

    private static func compile(_ text: String) -> [Piece] {
        let bytes = Array(text.utf8)
        var pieces: [Piece] = [], literal: [UInt8] = [], i = 0
        func isNameByte(_ b: UInt8) -> Bool { MetricNames.isLetter(b) || MetricNames.isDigit(b) || b == 0x5F }
        while i < bytes.count {
            var name: [UInt8] = []
            if bytes[i] == 0x24, i + 1 < bytes.count {  // $
                let braced = bytes[i + 1] == 0x7B  // ${name}
                var j = braced ? i + 2 : i + 1
                while j < bytes.count, isNameByte(bytes[j]) { name.append(bytes[j]); j += 1 }
                if braced { if j < bytes.count, bytes[j] == 0x7D { j += 1 } else { name = [] } }
                if !name.isEmpty { i = j }
            }
            guard !name.isEmpty else { literal.append(bytes[i]); i += 1; continue }
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] }
            let variable = String(decoding: name, as: UTF8.self)
            if case .variable(let previous)? = pieces.last { pieces[pieces.count - 1] = .variable(previous + [variable]) }
            else { pieces.append(.variable([variable])) }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }

    /// The entry of a line (without its newline), or nil when the line does not have the format's
    /// shape or its status or request time is not a number. A variable ends at the first
    /// occurrence of the literal after it; inside quotes a backslash escapes the next byte, so a
    /// `\"` written by `escape=json` (or by a proxy) does not end the field.
    func parse(_ line: UnsafeBufferPointer<UInt8>) -> AccessLogEntry? {
        var position = 0
        var status: Int?, requestTime: Double?
        for (index, piece) in pieces.enumerated() {
            switch piece {
            case .literal(let literal):
                guard Self.hasPrefix(line, literal, at: position) else { return nil }
                position += literal.count
            case .variable:
                let end = fieldEnd(line, piece: index, from: position)
                guard let end else { return nil }
                if index == statusIndex {
                    guard let value = Self.status(line, position..<end) else { return nil }
                    status = value
                } else if index == requestTimeIndex {
                    guard let value = Self.seconds(line, position..<end) else { return nil }
                    requestTime = value
                }
                position = end
            }
        }
        guard position == line.count, let status else { return nil }
        return AccessLogEntry(status: status, requestTime: requestTime)
    }

    func parse(_ line: [UInt8]) -> AccessLogEntry? { line.withUnsafeBufferPointer { parse($0) } }

    /// Where the variable at `piece` ends: the next literal's position, or the end of the line.
    private func fieldEnd(_ line: UnsafeBufferPointer<UInt8>, piece: Int, from start: Int) -> Int? {
        guard piece + 1 < pieces.count, case .literal(let next) = pieces[piece + 1], let first = next.first else { return line.count }
        let quoted = piece > 0 && { if case .literal(let before) = pieces[piece - 1] { before.last == 0x22 } else { false } }()
        var i = start
        while i < line.count {
            let b = line[i]
            if quoted && b == 0x5C { i += 2; continue }  // backslash
            if b == first && Self.hasPrefix(line, next, at: i) { return i }
            i += 1
        }
        return nil
    }

    private static func hasPrefix(_ line: UnsafeBufferPointer<UInt8>, _ literal: [UInt8], at position: Int) -> Bool {
        guard position + literal.count <= line.count else { return false }
        for (offset, b) in literal.enumerated() where line[position + offset] != b { return false }
        return true
    }

    /// Three digits, 100–599 (RFC 9110 §15).
    static func status(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard range.count == 3 else { return nil }
        var value = 0
        for i in range {
            guard MetricNames.isDigit(line[i]) else { return nil }
            value = value * 10 + Int(line[i] - 0x30)
        }
        return (100...599).contains(value) ? value : nil
    }

    /// `$request_time` as nginx writes it: seconds with a millisecond fraction ("0.123"). Up to 15
    /// digits, so the value is an exact integer over a power of ten and "0.200" is exactly 0.2,
    /// which matters for the bucket boundaries.
    static func seconds(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        var mantissa = 0, scale = 1, digits = 0, dot = false
        for i in range {
            let b = line[i]
            if b == 0x2E, !dot { dot = true; continue }
            guard MetricNames.isDigit(b), digits < 15 else { return nil }
            mantissa = mantissa * 10 + Int(b - 0x30)
            digits += 1
            if dot { scale *= 10 }
        }
        guard digits > 0 else { return nil }
        return Double(mantissa) / Double(scale)
    }
}
