import Testing
@testable import ExporterCore

/// INFO ALL as recorded from redis-server 7.0.15 (Fixtures/redis/README.md).
@Suite struct RedisInfoTests {
    @Test func parsesThePrimary() throws {
        let info = parseRedisInfo(try Fixtures.text("redis/info-all-primary.txt"))
        #expect(info["redis_version"] == "7.0.15")
        #expect(info["role"] == "master")
        #expect(info["maxmemory"] == "104857600")
        #expect(info.fields.first { $0.key == "used_memory" }?.section == "Memory")
        #expect(info.replicas == [RedisInfo.Replica(ip: "127.0.0.1", port: "16380", state: "online", offset: 7378049, lag: 1)])
        #expect(info.keyspaces.map(\.database) == ["db0", "db2"])
        #expect(info.keyspaces.first?.expires == 1)
        let get = try #require(info.commands.first { $0.command == "get" })
        #expect(get.calls == 1 && get.rejectedCalls == 0 && get.failedCalls == 0)
        #expect(info.commands.contains { $0.command == "config|get" })
        #expect(info.errors.map(\.prefix) == ["ERR", "NOAUTH"])
        let latency = try #require(info.latencies.first { $0.command == "get" })
        #expect(latency.quantiles.map(\.quantile) == ["50", "99", "99.9"])
    }

    @Test func parsesTheReplica() throws {
        let info = parseRedisInfo(try Fixtures.text("redis/info-all-replica.txt"))
        #expect(info["role"] == "slave")
        #expect(info["master_link_status"] == "up")
        #expect(info["master_port"] == "16379")
        #expect(info.replicas.isEmpty)
    }

    @Test func oddInputNeverTraps() {
        let info = parseRedisInfo("# Weird\r\nno colon here\r\n:empty key\r\nused_memory:lots\r\ncmdstat_x:calls=zz,usec=1\r\ndb0:keys=1\r\nslave0:ip=1\r\nslave1x:ip=2\r\nerrorstat_E:count=\r\n\r\n")
        #expect(info.commands.isEmpty && info.keyspaces.isEmpty && info.replicas.isEmpty && info.errors.isEmpty)
        #expect(info["used_memory"] == "lots")
        #expect(info["slave1x"] == "ip=2")
        #expect(RedisNumber.parse("lots") == nil)
        #expect(RedisNumber.parse("ok") == 1 && RedisNumber.parse("err") == 0)
        #expect(RedisNumber.parse("1e400") == .infinity && RedisNumber.parse("nan") == nil)
    }

    @Test func familiesFromThePrimaryMatchGolden() throws {
        var replies = RedisReplies()
        replies.info = parseRedisInfo(try Fixtures.text("redis/info-all-primary.txt"))
        replies.config = ["maxmemory": "104857600", "maxclients": "10000", "io-threads": "1", "databases": "16"]
        replies.slowlogLength = 2
        replies.slowlogLastID = 1
        replies.slowlogLastMicroseconds = 119_725
        replies.latency = [("command", 1_796_197_173, 119)]
        replies.connectSeconds = 0.0003
        replies.pingSeconds = 0.0001
        let scrape = RedisFamilies.Scrape(addr: "redis://127.0.0.1:16379", result: .success(replies), scrapes: 3, seconds: 0.002, now: 1_796_197_600)
        let text = TextFormat.render(text: Normalizer.normalize(RedisFamilies.families(scrape), stats: ExpositionStats()))
        try Golden.check(text, against: "redis-primary.prom")
    }

    @Test func aFailedServerIsUpZeroWithItsReason() {
        let scrape = RedisFamilies.Scrape(addr: "redis://127.0.0.1:1", result: .failure(.deadline), scrapes: 1, seconds: 4.5, now: 0)
        let text = TextFormat.render(text: Normalizer.normalize(RedisFamilies.families(scrape), stats: ExpositionStats()))
        #expect(text.contains("redis_up{addr=\"redis://127.0.0.1:1\"} 0\n"))
        #expect(text.contains("redis_exporter_last_scrape_error{addr=\"redis://127.0.0.1:1\",err=\"timeout\"} 1\n"))
        #expect(!text.contains("redis_memory_used_bytes"))
    }
}
