import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child of the tests, started with posix_spawn instead of Foundation's `Process`.
///
/// Why not `Process`: the tests start many children at once from many threads. A descriptor
/// that one thread opens without close-on-exec (a `Pipe`, Foundation's own exit-notification
/// socket) leaks into a child that another thread spawns at that moment; when that child is a
/// daemon (postgres, conmon, s_server) it keeps the descriptor for the rest of the run, and a
/// read that waits for end-of-file, or for the exit notification, waits for ever. CI hung so.
/// Here every child gets only stdin, stdout and stderr (everything from 3 up is closed), its
/// output goes to files or /dev/null rather than pipes, it leads its own process group (a
/// timeout kills its children too), and it starts with default signal dispositions.
public final class ChildProcess: @unchecked Sendable {
    public enum Input: Sendable { case null, file(String), pipe }
    public enum Output: Sendable { case null, file(String), append(String), toStdout }

    public let pid: pid_t
    public let command: String
    private let lock = NSLock()
    private var waitStatus: Int32?
    private var stdinWriter: Int32 = -1

    public init(_ argv: [String], environment: [String: String]? = nil,
                stdin: Input = .null, stdout: Output = .null, stderr: Output = .null) throws {
        guard let name = argv.first else { throw ChildProcessError("empty command") }
        command = argv.joined(separator: " ")
        let executable = try Self.resolve(name)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var stdinPipe: [Int32] = [-1, -1]
        switch stdin {
        case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .pipe:
            // pipe2 is not in the Glibc module; every child here closes descriptors from 3 up
            // anyway, so the moment before FD_CLOEXEC is set leaks nothing.
            guard pipe(&stdinPipe) == 0 else { throw ChildProcessError("pipe: \(String(cString: strerror(errno)))") }
            for fd in stdinPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        }
        Self.redirect(&actions, 1, stdout)
        Self.redirect(&actions, 2, stderr)
        try Self.closeFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var environmentLines: [String] = []
        for (key, value) in environment ?? ProcessInfo.processInfo.environment { environmentLines.append("\(key)=\(value)") }
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environmentLines.map { strdup($0) } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }

        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, cArguments, cEnvironment)
        if stdinPipe[0] >= 0 { close(stdinPipe[0]) }
        guard result == 0 else {
            if stdinPipe[1] >= 0 { close(stdinPipe[1]) }
            throw ChildProcessError("cannot start \(command): \(String(cString: strerror(result)))")
        }
        pid = child
        stdinWriter = stdinPipe[1]
    }

    deinit {
        if isRunning {
            killGroup()
            _ = wait(timeout: 5)
        }
        closeStdin()
    }

    // MARK: state

    /// The exit code, or 128 + the signal that ended it; nil while it runs.
    public var exitStatus: Int32? {
        lock.withLock {
            if waitStatus == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { waitStatus = status }
            }
            guard let status = waitStatus else { return nil }
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Polls until the child ends or `timeout` passes; the exit status, or nil if it still runs.
    @discardableResult
    public func wait(timeout: Double) -> Int32? {
        Wait.until(timeout: timeout) { exitStatus != nil }
        return exitStatus
    }

    // MARK: signals

    /// Signals the child alone; does nothing once it has been reaped (its pid may be reused).
    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    public func terminate() { signal(SIGTERM) }

    /// SIGKILL to the child's whole process group.
    public func killGroup() {
        if isRunning { kill(-pid, SIGKILL) }
    }

    /// SIGTERM, then SIGKILL to the group if it has not ended within `timeout`.
    @discardableResult
    public func stop(timeout: Double = 5) -> Int32? {
        terminate()
        if let status = wait(timeout: timeout) { return status }
        killGroup()
        return wait(timeout: 5)
    }

    // MARK: stdin

    /// Writes to the child's stdin (started with `.pipe`).
    public func write(_ data: Data) throws {
        let fd = lock.withLock { stdinWriter }
        guard fd >= 0 else { throw ChildProcessError("\(command): stdin is not a pipe") }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ChildProcessError("\(command): write to stdin: \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }

    public func closeStdin() {
        let fd = lock.withLock { () -> Int32 in defer { stdinWriter = -1 }; return stdinWriter }
        if fd >= 0 { close(fd) }
    }

    // MARK: spawning helpers

    private static func redirect(_ actions: inout posix_spawn_file_actions_t, _ fd: Int32, _ output: Output) {
        switch output {
        case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        case .append(let path): posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        case .toStdout: posix_spawn_file_actions_adddup2(&actions, 1, fd)
        }
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np, but the Glibc module does not
    /// export it; it is looked up once.
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) throws {
        guard let closeFrom, closeFrom(&actions, 3) == 0 else {
            throw ChildProcessError("posix_spawn_file_actions_addclosefrom_np is unavailable (glibc ≥ 2.34 needed)")
        }
    }

    /// A path as given, else the first match on PATH or in the usual Debian places.
    public static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"] {
            let candidate = dir + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw ChildProcessError("\(name) is not installed (scripts/test installs it)")
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What a finished command printed.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a command to completion with its output in temporary files. Past `timeout` its process
/// group is killed and the call throws, with what it had printed.
@discardableResult
public func runCommand(_ argv: [String], input: Data? = nil, environment: [String: String]? = nil,
                       timeout: Double = 60) throws -> CommandResult {
    let base = NSTemporaryDirectory() + "child-\(getpid())-\(UUID().uuidString)"
    defer { for suffix in [".in", ".out", ".err"] { unlink(base + suffix) } }
    var stdin = ChildProcess.Input.null
    if let input {
        try input.write(to: URL(fileURLWithPath: base + ".in"))
        stdin = .file(base + ".in")
    }
    let child = try ChildProcess(argv, environment: environment, stdin: stdin, stdout: .file(base + ".out"), stderr: .file(base + ".err"))
    let status = child.wait(timeout: timeout)
    if status == nil {
        child.killGroup()
        child.wait(timeout: 5)
    }
    let stdout = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
    guard let status else {
        throw ChildProcessError("\(child.command) timed out after \(timeout) s\nstdout: \(stdout.suffix(2000))\nstderr: \(stderr.suffix(2000))")
    }
    return CommandResult(status: status, stdout: stdout, stderr: stderr)
}
