import Synchronization

/// A leveled, structured logger handed to every component (swift-log's "accepting loggers" practice):
/// a fixed message plus key/value metadata, written as logfmt or JSON to stderr.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warn, error

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        public var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warn: "warn"
            case .error: "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name }) else { return nil }
            self = level
        }
    }

    public enum Format: String, Sendable {
        case logfmt, json
    }

    public let level: Level
    public let format: Format
    private let sink: LogSink?

    public init(level: Level, format: Format, sink: LogSink = .standardError) {
        self.level = level
        self.format = format
        self.sink = sink
    }

    /// Logs nothing: for tests and tools.
    public static let disabled = Logger(level: .error, format: .logfmt, sinkOrNil: nil)

    private init(level: Level, format: Format, sinkOrNil: LogSink?) {
        self.level = level
        self.format = format
        self.sink = sinkOrNil
    }

    public func debug(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { log(.debug, message, metadata) }
    public func info(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { log(.info, message, metadata) }
    public func warn(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { log(.warn, message, metadata) }
    public func error(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { log(.error, message, metadata) }

    public func log(_ level: Level, _ message: String, _ metadata: KeyValuePairs<String, String>) {
        guard level >= self.level, let sink else { return }
        let time = WallClock.rfc3339(WallClock.now())
        let line: String
        switch format {
        case .logfmt: line = Self.logfmtLine(time: time, level: level, message: message, metadata: metadata)
        case .json: line = Self.jsonLine(time: time, level: level, message: message, metadata: metadata)
        }
        sink.write(line)
    }

    static func logfmtLine(time: String, level: Level, message: String, metadata: KeyValuePairs<String, String>) -> String {
        var line = "time=\(time) level=\(level.name) msg=\(logfmtValue(message))"
        for (key, value) in metadata { line += " \(key)=\(logfmtValue(value))" }
        return line + "\n"
    }

    static func jsonLine(time: String, level: Level, message: String, metadata: KeyValuePairs<String, String>) -> String {
        var line = "{\"time\":\(jsonString(time)),\"level\":\(jsonString(level.name)),\"msg\":\(jsonString(message))"
        for (key, value) in metadata { line += ",\(jsonString(key)):\(jsonString(value))" }
        return line + "}\n"
    }

    /// logfmt quotes values with spaces, quotes, `=` or control characters, and empty ones.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.utf8.contains { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C }
        return needsQuotes ? jsonString(value) : value
    }

    /// A JSON string literal (RFC 8259 §7).
    public static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Where log lines go: stderr, or a buffer that tests read back.
public final class LogSink: Sendable {
    private let capturing: Bool
    private let captured = Mutex<[String]>([])

    private init(capturing: Bool) {
        self.capturing = capturing
    }

    public static let standardError = LogSink(capturing: false)

    /// A sink that keeps lines in memory, for tests that assert on logging (e.g. no passwords).
    public static func capture() -> LogSink { LogSink(capturing: true) }

    public var lines: [String] { captured.withLock { $0 } }

    func write(_ line: String) {
        if capturing {
            captured.withLock { $0.append(line) }
        } else {
            StandardStreams.writeError(line)
        }
    }
}
