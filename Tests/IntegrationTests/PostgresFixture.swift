import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// A throw-away PostgreSQL 15 cluster for the suite: initdb into a temp dir as `postgres`, a free
/// 127.0.0.1 port, the socket in the temp dir, pg_stat_statements preloaded, password (SCRAM)
/// auth over TCP and trust over the socket for the test's own psql. One per test process, stopped
/// at exit (and by `stop()`), even when a test fails.
final class PostgresCluster: @unchecked Sendable {
    // @unchecked: tests of the suite run serialized; the background sessions are only touched there.
    static let bin = "/usr/lib/postgresql/15/bin"
    let directory: String
    let port: UInt16
    let maxConnections: Int
    private var sessions: [ChildProcess] = []
    private let lock = NSLock()

    static let shared: Result<PostgresCluster, TestFailure> = {
        do {
                let cluster = try PostgresCluster()
            atexit { PostgresCluster.stopShared() }
            return .success(cluster)
        } catch {
            return .failure(TestFailure("cannot start PostgreSQL: \(error)"))
        }
    }()

    static func get() throws -> PostgresCluster { try shared.get() }

    static func stopShared() {
        if case .success(let cluster) = shared { cluster.destroy() }
    }

    /// The shared cluster has 60 slots; tests of slot exhaustion start one of their own.
    init(maxConnections: Int = 60) throws {
        self.maxConnections = maxConnections
        directory = NSTemporaryDirectory() + "stack-exporter-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try run(try tool("chown"), ["postgres", directory])
        port = try freePort()
        let initdb = try run(try tool("runuser"), [
            "-u", "postgres", "--", "\(Self.bin)/initdb", "-D", "\(directory)/data", "-U", "postgres",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
        ], timeout: 60)
        guard initdb.status == 0 else { throw TestFailure("initdb: \(initdb.stderr)") }
        try start()
        do {
            try psql("""
                CREATE ROLE monitor LOGIN PASSWORD 'mon:it@r pass';
                GRANT pg_monitor TO monitor;
                CREATE ROLE limited LOGIN PASSWORD 'limited';
                CREATE EXTENSION pg_stat_statements;
                """)
        } catch {
            destroy()
            throw error
        }
    }

    func start() throws {
        let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c fsync=off -c max_connections=\(maxConnections)"
        // pg_ctl's own output goes to a file: the postmaster it leaves behind keeps its stdout.
        let result = try runCommand([
            try tool("runuser"), "-u", "postgres", "--", "\(Self.bin)/pg_ctl", "-D", "\(directory)/data",
            "-l", "\(directory)/server.log", "-o", options, "-w", "start",
        ], timeout: 60)
        guard result.status == 0 else {
            throw TestFailure("pg_ctl start failed: \(result.stdout)\(result.stderr)")
        }
    }

    func stop(mode: String = "fast") throws {
        try run(try tool("runuser"), ["-u", "postgres", "--", "\(Self.bin)/pg_ctl", "-D", "\(directory)/data", "-m", mode, "-w", "stop"], timeout: 60)
    }

    /// Stops the cluster and removes its files (the shared one: at exit).
    func destroy() {
        endSessions()
        _ = try? stop(mode: "immediate")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs SQL through psql over the socket as the superuser; fails on any error.
    @discardableResult
    func psql(_ sql: String, database: String = "postgres") throws -> String {
        let result = try run(try tool("psql"), [
            "-h", directory, "-p", "\(port)", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql,
        ], timeout: 60)
        guard result.status == 0 else { throw TestFailure("psql: \(result.stderr)") }
        return result.stdout
    }

    /// A psql session left open in the background with `sql` sent and stdin kept open, so the
    /// session stays idle, idle in transaction, active or waiting, as the SQL makes it.
    func session(_ sql: String, database: String = "postgres") throws {
        let process = try ChildProcess(
            [try tool("psql"), "-h", directory, "-p", "\(port)", "-U", "postgres", "-d", database, "-X", "-q"], stdin: .pipe)
        // stdin stays open: closing it would end the session.
        try process.write(Data((sql + "\n").utf8))
        lock.withLock { sessions.append(process) }
    }

    func endSessions() {
        let running = lock.withLock { () -> [ChildProcess] in
            defer { sessions = [] }
            return sessions
        }
        for process in running {
            process.closeStdin()
            process.stop(timeout: 5)
        }
    }

    /// The postmaster and its children, for SIGSTOP/SIGCONT.
    func serverProcesses() throws -> [Int32] {
        let pidFile = try String(contentsOfFile: "\(directory)/data/postmaster.pid", encoding: .utf8)
        guard let postmaster = Int32(pidFile.split(separator: "\n").first ?? "") else { throw TestFailure("no postmaster.pid") }
        var pids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        return pids
    }

    func dsn(user: String = "monitor", password: String = "mon:it@r pass", database: String = "postgres") -> String {
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? password
        return "postgresql://\(user):\(encoded)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    var server: String { "127.0.0.1:\(port)" }
}

/// The exporter binary without DATA_SOURCE_NAME from the test's environment, for tests that
/// read its log.
final class LoggedExporter {
    let exporter: ExporterProcess
    var port: UInt16 { exporter.port }
    var log: String { exporter.log }

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        var env = ProcessInfo.processInfo.environment
        env["DATA_SOURCE_NAME"] = nil
        for (key, value) in environment { env[key] = value }
        exporter = try ExporterProcess(arguments, environment: env)
    }

    /// GET /metrics with only the postgres collector, the scrape timeout given in the header.
    func metrics(timeout: Double = 5) throws -> (body: String, seconds: Double) {
        let started = Date()
        let socket = try Socket.connect(host: "127.0.0.1", port: port)
        defer { socket.close() }
        let request = "GET /metrics?collect[]=postgres HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Prometheus-Scrape-Timeout-Seconds: \(timeout)\r\n\r\n"
        try socket.writeAll(Array(request.utf8))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while socket.waitUntil(readable: true, timeoutMilliseconds: 30_000) {
            guard case .transferred(let n) = chunk.withUnsafeMutableBytes({ socket.read(into: $0) }) else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP response") }
        return (String(text[split.upperBound...]), Date().timeIntervalSince(started))
    }
}

/// The value of the first sample of `name` whose labels include `labels`.
func sampleValue(_ body: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    for line in body.split(separator: "\n") where line.hasPrefix(name) {
        let rest = line.dropFirst(name.count)
        guard rest.first == "{" || rest.first == " " else { continue }
        var labelText = ""
        var valueText = rest
        if rest.first == "{", let close = rest.lastIndex(of: "}") {
            labelText = String(rest[rest.index(after: rest.startIndex)..<close])
            valueText = rest[rest.index(after: close)...]
        }
        if labels.allSatisfy({ labelText.contains("\($0.key)=\"\($0.value)\"") }) {
            return Double(valueText.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
    }
    return nil
}
