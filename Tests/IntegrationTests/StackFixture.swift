import Foundation
import Testing
@testable import ExporterCore
import TestSupport

/// The whole stack of the runbooks on loopback, real parts only: PostgreSQL, Podman's Docker API
/// with containers, Redis (with maxmemory), nginx with stub_status, a certificate file and a TLS
/// endpoint (`openssl s_server`), a gzip backup, an HTTP health endpoint — and one stack_exporter
/// watching all of it.
/// The dashboard tests scrape it with Prometheus (and VictoriaMetrics behind remote_write).
final class StackFixture {
    let postgres: PostgresCluster
    let podman: PodmanFixture
    let redis: RedisTests.RedisServer
    let nginx: NginxTests.Nginx
    let certificates: CertFactory
    let endpoint: TLSIntegrationTests.Server
    let exporter: ExporterProcess
    /// Reads of an existing key, 20 a second for at most a minute: the hit-rate panels need
    /// keyspace hits between two scrapes.
    private let redisTraffic: ChildProcess
    private let scratch = NSTemporaryDirectory() + "stack-fixture-\(UUID().uuidString)"

    init() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        postgres = try PostgresCluster.get()
        try? postgres.psql("CREATE DATABASE shop")
        try postgres.psql("CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, note text); INSERT INTO orders (note) SELECT 'x' FROM generate_series(1, 100)", database: "shop")
        podman = try PodmanFixture()
        try podman.start("web", ["--memory", "64m", "--health-cmd", "true", "--health-interval", "1s"], ["sleep", "600"])
        try podman.podman(["healthcheck", "run", podman.name("web")], allowFailure: true)
        try podman.startService()
        redis = try RedisTests.RedisServer(["maxmemory 64mb"], dir: scratch, name: "stack-redis")
        _ = try run(try tool("redis-cli"), ["-h", "127.0.0.1", "-p", String(redis.port), "SET", "cart:1", "x"])
        redisTraffic = try ChildProcess([try tool("redis-cli"), "-h", "127.0.0.1", "-p", String(redis.port), "-r", "1200", "-i", "0.05", "GET", "cart:1"],
                                        stdout: .null)
        nginx = try NginxTests.Nginx()
        certificates = try CertFactory()
        try certificates.selfSigned("site", cn: "shop.example", days: 60)
        endpoint = try TLSIntegrationTests.sServer(["-cert", certificates.path("site.pem"), "-key", certificates.path("site.key")])
        let backups = scratch + "/backups"
        try FileManager.default.createDirectory(atPath: backups, withIntermediateDirectories: true)
        try Data(try Gzip.compress(Array("-- PostgreSQL database dump\n".utf8)))
            .write(to: URL(fileURLWithPath: backups + "/postgres_backup_1.sql.gz"))
        exporter = try ExporterProcess([
            "--postgres.dsn=\(postgres.dsn())", "--postgres.all-databases",
            "--docker.host=unix://\(podman.socketPath)",
            "--redis.addr=redis://127.0.0.1:\(redis.port)",
            "--nginx.status-url=http://127.0.0.1:\(nginx.port)/stub_status",
            // Its access log (with $request_time): the probe below makes the requests it counts.
            "--nginx.access-log=\(nginx.accessLog),name=web,format=\(NginxTests.Nginx.timedFormat)",
            "--tls.file=\(certificates.path("site.pem"))",
            "--tls.endpoint=127.0.0.1:\(endpoint.port),sni=shop.example",
            "--tls.ca-file=\(certificates.path("site.pem"))",
            "--files.glob=pg=\(backups)/postgres_backup_*.sql.gz", "--files.verify-gzip",
            // The application's health endpoint: nginx answers 200 on every path but its status page.
            "--http.endpoint=http://127.0.0.1:\(nginx.port)/api/health,name=shop",
        ])
    }

    deinit {
        redisTraffic.killGroup()
        redisTraffic.wait(timeout: 5)
        podman.cleanUp()
        try? FileManager.default.removeItem(atPath: scratch)
    }
}
