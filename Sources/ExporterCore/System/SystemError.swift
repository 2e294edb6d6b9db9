import Glibc

/// A failed system call: which operation, and the errno it left, rendered with strerror(3).
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    public let operation: String
    public let code: Int32

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// Captures `errno` right after a failed call.
    static func lastError(_ operation: String) -> SystemError {
        SystemError(operation, code: errno)
    }

    public var description: String {
        "\(operation): \(String(cString: strerror(code))) (errno \(code))"
    }

    public var isWouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }
    public var isTooManyFiles: Bool { code == EMFILE || code == ENFILE }
    public var isTimedOut: Bool { code == ETIMEDOUT }
    public var isNotFound: Bool { code == ENOENT }
    public var isNotDirectory: Bool { code == ENOTDIR }
    public var isPermissionDenied: Bool { code == EACCES || code == EPERM }
    public var isSymlinkLoop: Bool { code == ELOOP }
    public var isConnectionRefused: Bool { code == ECONNREFUSED }
}
