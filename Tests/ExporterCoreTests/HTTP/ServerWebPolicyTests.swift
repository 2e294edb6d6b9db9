import Foundation
import Testing
@testable import ExporterCore

/// Basic auth in the real server: every path protected, 401 with the challenge, bcrypt off the
/// loop and bounded.
@Suite(.serialized) struct ServerBasicAuthTests {
    @Test func everyPathNeedsCredentials() throws {
        let auth = BasicAuth(users: ["alice": try bcrypt("secret")])
        let server = try TestServer(web: FixedWebPolicy(WebPolicy(auth: auth, headers: [HTTPHeader("X-Frame-Options", "deny")])))
        defer { server.stop() }
        let client = try server.client()
        for path in ["/", "/metrics", "/-/healthy", "/-/ready", "/nope"] {
            let response = try client.get(path)
            #expect(response.status == 401, "\(path)")
            #expect(response.headers["www-authenticate"]?.hasPrefix("Basic realm=") == true)
            #expect(response.headers["x-frame-options"] == "deny", "extra headers on errors too")
        }
        #expect(try client.get("/-/healthy", headers: ["Authorization": basic("alice", "secret")]).status == 200)
        #expect(try client.get("/-/healthy", headers: ["Authorization": basic("alice", "nope")]).status == 401)
        #expect(try client.get("/-/healthy", headers: ["Authorization": "Basic %%%"]).status == 401)
        let ok = try client.get("/metrics", headers: ["Authorization": basic("alice", "secret")])
        #expect(ok.status == 200)
        #expect(ok.headers["x-frame-options"] == "deny")
    }

    /// A 10 KB password exceeds the head limit (431); the server serves the next client.
    @Test func hugeAndMalformedCredentialsAreRefusedCheaply() throws {
        let auth = BasicAuth(users: ["alice": try bcrypt("secret")])
        let server = try TestServer(web: FixedWebPolicy(WebPolicy(auth: auth)))
        defer { server.stop() }
        let huge = try server.client()
        #expect(try huge.get("/metrics", headers: ["Authorization": basic("alice", String(repeating: "p", count: 10_240))]).status == 431)
        let next = try server.client()
        #expect(try next.get("/-/ready", headers: ["Authorization": basic("alice", "secret")]).status == 200)
        #expect(try next.get("/-/ready", headers: ["Authorization": "Basic " + String(repeating: "A", count: 4000)]).status == 401)
    }

    /// With one check at a time and none queued, concurrent wrong passwords get 429 at once, while
    /// a client whose password is cached is served meanwhile.
    @Test func bcryptWorkIsBounded() throws {
        let auth = BasicAuth(users: ["alice": try bcrypt("secret", cost: 12)])
        var limits = ServerLimits()
        limits.maxConcurrentAuthChecks = 1
        limits.maxQueuedAuthChecks = 0
        let server = try TestServer(limits: limits, web: FixedWebPolicy(WebPolicy(auth: auth)))
        defer { server.stop() }
        let cached = try server.client()
        #expect(try cached.get("/-/ready", headers: ["Authorization": basic("alice", "secret")]).status == 200)
        let attackers = try (0..<3).map { _ in try server.client() }
        for (i, attacker) in attackers.enumerated() {
            try attacker.send("GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: \(basic("alice", "guess\(i)"))\r\n\r\n")
        }
        let started = Date()
        #expect(try cached.get("/-/ready", headers: ["Authorization": basic("alice", "secret")]).status == 200)
        #expect(Date().timeIntervalSince(started) < 0.2, "a cached client waited for bcrypt")
        let statuses = try attackers.map { try $0.readResponse().status }.sorted()
        #expect(statuses == [401, 429, 429], "\(statuses)")
    }
}
