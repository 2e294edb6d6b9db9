import Testing
@testable import ExporterCore

@Suite struct RedisAddressTests {
    @Test func parsesTheForms() throws {
        let plain = try RedisTarget.parse("redis://127.0.0.1:6380/2")
        #expect(plain.endpoint == .tcp(host: "127.0.0.1", port: 6380))
        #expect(plain.database == 2 && !plain.tls && plain.password == nil && plain.label == "redis://127.0.0.1:6380/2")
        let secret = try RedisTarget.parse("rediss://mon:p%40ss@[::1]")
        #expect(secret.endpoint == .tcp(host: "::1", port: 6379))
        #expect(secret.tls && secret.user == "mon" && secret.password == "p@ss")
        #expect(secret.label == "rediss://mon@[::1]:6379")
        let classic = try RedisTarget.parse("redis://:only-password@10.0.0.1:7000")
        #expect(classic.user == nil && classic.password == "only-password" && classic.label == "redis://10.0.0.1:7000")
        let bare = try RedisTarget.parse("127.0.0.1:6379")
        #expect(bare.label == "redis://127.0.0.1:6379")
        let socket = try RedisTarget.parse("unix:///run/redis/redis.sock?db=1")
        #expect(socket.endpoint == .unix(path: "/run/redis/redis.sock") && socket.database == 1)
        #expect(socket.label == "unix:///run/redis/redis.sock?db=1")
    }

    @Test func environmentFillsWhatTheAddressLacks() throws {
        let target = try RedisTarget.parse("redis://127.0.0.1:6379", fallbackUser: "mon", fallbackPassword: "env-secret")
        #expect(target.user == "mon" && target.password == "env-secret")
        #expect(!target.label.contains("env-secret"))
        let own = try RedisTarget.parse("redis://:url-secret@127.0.0.1:6379", fallbackPassword: "env-secret")
        #expect(own.password == "url-secret")
    }

    @Test(arguments: ["http://h:1", "redis://h:0", "redis://h:99999", "redis://:pw@", "redis://h:1/x", "unix://relative.sock", "redis://[::1:1"])
    func rejectsBadAddressesWithoutQuotingThem(_ text: String) {
        #expect(throws: CollectorError.self) { try RedisTarget.parse(text) }
        do { _ = try RedisTarget.parse(text) } catch { #expect(!error.description.contains(":pw@")) }
    }

    @Test func passwordFromEnvironmentOrFile() throws {
        #expect(try RedisEnvironment.password(["REDIS_PASSWORD": "a"]) == "a")
        #expect(try RedisEnvironment.password([:]) == nil)
        #expect(throws: CollectorError.self) { try RedisEnvironment.password(["REDIS_PASSWORD_FILE": "/nonexistent/secret"]) }
        let file = Fixtures.path("redis/README.md")
        #expect(try RedisEnvironment.password(["REDIS_PASSWORD_FILE": file])?.hasPrefix("# Redis fixtures") == true)
    }
}
