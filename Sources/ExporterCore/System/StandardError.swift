import Glibc

/// The process' stderr and stdout, written with one write(2) per call so concurrent log lines
/// do not interleave (lines below PIPE_BUF are atomic on pipes).
public enum StandardStreams {
    public static func writeError(_ text: String) { write(fd: 2, text) }
    public static func writeOutput(_ text: String) { write(fd: 1, text) }

    private static func write(fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Whether stdout is a terminal (isatty(3)): `check` colours only then.
    public static var outputIsTerminal: Bool { isatty(1) == 1 }

    public static func exit(_ code: Int32) -> Never { Glibc.exit(code) }
}
