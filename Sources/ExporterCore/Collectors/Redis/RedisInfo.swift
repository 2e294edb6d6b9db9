/// The reply of `INFO ALL` (https://redis.io/commands/info/): `# Section` headers and `key:value`
/// lines. Parsing never fails: a line without a colon is skipped and every value stays text until
/// a metric converts it, because servers (Redis forks, proxies, newer versions) add fields freely.
struct RedisInfo: Sendable, Equatable {
    struct Field: Sendable, Equatable {
        var section: String
        var key: String
        var value: String
    }

    /// `cmdstat_<cmd>:calls=…,usec=…,usec_per_call=…[,rejected_calls=…,failed_calls=…]`.
    struct CommandStat: Sendable, Equatable {
        var command: String
        var calls: Double
        var microseconds: Double
        var rejectedCalls: Double?
        var failedCalls: Double?
    }

    /// `db<N>:keys=…,expires=…,avg_ttl=…`.
    struct Keyspace: Sendable, Equatable {
        var database: String
        var keys: Double
        var expires: Double
        var averageTTLMilliseconds: Double?
    }

    /// `slave<N>:ip=…,port=…,state=…,offset=…[,lag=…]` on a primary.
    struct Replica: Sendable, Equatable {
        var ip: String
        var port: String
        var state: String
        var offset: Double
        var lag: Double?
    }

    /// The plain fields (not the per-command, per-error, per-database or per-replica lines).
    var fields: [Field] = []
    var commands: [CommandStat] = []
    /// `latency_percentiles_usec_<cmd>:p50=…,p99=…,p99.9=…` as (command, [(quantile, µs)]).
    var latencies: [(command: String, quantiles: [(quantile: String, microseconds: Double)])] = []
    /// `errorstat_<PREFIX>:count=…`.
    var errors: [(prefix: String, count: Double)] = []
    var keyspaces: [Keyspace] = []
    var replicas: [Replica] = []

    /// The first value of `key` among the plain fields.
    subscript(key: String) -> String? { fields.first { $0.key == key }?.value }

    static func == (a: RedisInfo, b: RedisInfo) -> Bool {
        a.fields == b.fields && a.commands == b.commands && a.keyspaces == b.keyspaces && a.replicas == b.replicas
            && a.errors.elementsEqual(b.errors) { $0 == $1 }
            && a.latencies.elementsEqual(b.latencies) { $0.command == $1.command && $0.quantiles.elementsEqual($1.quantiles) { $0 == $1 } }
    }
}

/// Parses `INFO` text. Lines end with CRLF (LF accepted).
func parseRedisInfo(_ text: String) -> RedisInfo {
    var text = text
    return text.withUTF8 { parseRedisInfo(bytes: $0) }
}

func parseRedisInfo(bytes: [UInt8]) -> RedisInfo {
    bytes.withUnsafeBufferPointer { parseRedisInfo(bytes: $0) }
}

/// The parse runs over bytes, not Characters: INFO is ASCII in practice, and grapheme-by-grapheme
/// Substring walking was three quarters of a scrape's instructions (callgrind, bench-redis).
/// Strings are built only for what is kept.
func parseRedisInfo(bytes: UnsafeBufferPointer<UInt8>) -> RedisInfo {
    var info = RedisInfo()
    info.fields.reserveCapacity(192)
    var section = ""
    var start = 0
    while start < bytes.count {
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        var lineEnd = end
        if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let line = InfoBytes(bytes, start..<lineEnd)
        start = end + 1
        if line.isEmpty { continue }
        if line.first == 0x23 {  // #
            section = line.dropFirst(1).trimmingSpacesAndTabs.string
            continue
        }
        guard let colon = line.firstIndex(of: 0x3A) else { continue }
        let key = line.prefix(upTo: colon), value = line.suffix(from: colon + 1)
        if !RedisInfoLines.special(key: key, value: value, section: section, into: &info) {
            info.fields.append(RedisInfo.Field(section: section, key: key.string, value: value.string))
        }
    }
    return info
}

/// A range of the INFO reply's bytes, valid while the parse runs.
struct InfoBytes {
    let base: UnsafeBufferPointer<UInt8>
    let range: Range<Int>

    init(_ base: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.base = base
        self.range = range
    }

    var isEmpty: Bool { range.isEmpty }
    var count: Int { range.count }
    var first: UInt8? { range.isEmpty ? nil : base[range.lowerBound] }
    var string: String { String(decoding: UnsafeBufferPointer(rebasing: base[range]), as: UTF8.self) }

    func firstIndex(of byte: UInt8) -> Int? { range.first { base[$0] == byte } }
    func prefix(upTo index: Int) -> InfoBytes { InfoBytes(base, range.lowerBound..<index) }
    func suffix(from index: Int) -> InfoBytes { InfoBytes(base, index..<range.upperBound) }
    func dropFirst(_ n: Int) -> InfoBytes { InfoBytes(base, min(range.lowerBound + n, range.upperBound)..<range.upperBound) }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        guard prefix.utf8CodeUnitCount <= range.count else { return false }
        let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        for i in 0..<p.count where base[range.lowerBound + i] != p[i] { return false }
        return true
    }

    func equals(_ word: StaticString) -> Bool { word.utf8CodeUnitCount == range.count && hasPrefix(word) }

    var trimmingSpacesAndTabs: InfoBytes {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, base[lower] == 0x20 || base[lower] == 0x09 { lower += 1 }
        while upper > lower, base[upper - 1] == 0x20 || base[upper - 1] == 0x09 { upper -= 1 }
        return InfoBytes(base, lower..<upper)
    }

    /// `a=1,b=2` → (a, 1), (b, 2) in order; parts without `=` are skipped.
    func forEachPair(_ body: (InfoBytes, InfoBytes) -> Void) {
        var partStart = range.lowerBound
        while partStart <= range.upperBound {
            var partEnd = partStart
            while partEnd < range.upperBound, base[partEnd] != 0x2C { partEnd += 1 }
            let part = InfoBytes(base, partStart..<partEnd)
            if let equals = part.firstIndex(of: 0x3D) { body(part.prefix(upTo: equals), part.suffix(from: equals + 1)) }
            partStart = partEnd + 1
        }
    }

    /// The value of the first pair named `name`.
    func pairValue(_ name: StaticString) -> InfoBytes? {
        var found: InfoBytes?
        forEachPair { key, value in if found == nil, key.equals(name) { found = value } }
        return found
    }

    var number: Double? { RedisNumber.parse(self) }
}

enum RedisInfoLines {
    /// Lines that name a command, an error, a database or a replica in their key; true when handled.
    static func special(key: InfoBytes, value: InfoBytes, section: String, into info: inout RedisInfo) -> Bool {
        if key.hasPrefix("cmdstat_") {
            if let stat = commandStat(key.dropFirst(8).string, value) { info.commands.append(stat) }
            return true
        }
        if key.hasPrefix("latency_percentiles_usec_") {
            var quantiles: [(quantile: String, microseconds: Double)] = []
            value.forEachPair { name, number in
                guard name.first == 0x70, let us = number.number else { return }  // p50, p99.9
                quantiles.append((name.dropFirst(1).string, us))
            }
            info.latencies.append((key.dropFirst(25).string, quantiles))
            return true
        }
        if key.hasPrefix("errorstat_") {
            if let count = value.pairValue("count")?.number { info.errors.append((key.dropFirst(10).string, count)) }
            return true
        }
        if section == "Keyspace", key.hasPrefix("db"), let keyspace = keyspace(key.string, value) {
            info.keyspaces.append(keyspace)
            return true
        }
        if section == "Replication", isNumbered(key, prefix: "slave") {
            if let replica = replica(value) { info.replicas.append(replica) }
            return true
        }
        return false
    }

    /// The first of each name wins, as a dictionary built with `uniquingKeysWith: first` would.
    static func commandStat(_ command: String, _ value: InfoBytes) -> RedisInfo.CommandStat? {
        var calls: InfoBytes?, usec: InfoBytes?, rejected: InfoBytes?, failed: InfoBytes?
        value.forEachPair { name, number in
            if name.equals("calls") { if calls == nil { calls = number } }
            else if name.equals("usec") { if usec == nil { usec = number } }
            else if name.equals("rejected_calls") { if rejected == nil { rejected = number } }
            else if name.equals("failed_calls") { if failed == nil { failed = number } }
        }
        guard let calls = calls?.number, let usec = usec?.number else { return nil }
        return RedisInfo.CommandStat(command: command, calls: calls, microseconds: usec, rejectedCalls: rejected?.number, failedCalls: failed?.number)
    }

    static func keyspace(_ database: String, _ value: InfoBytes) -> RedisInfo.Keyspace? {
        guard let keys = value.pairValue("keys")?.number, let expires = value.pairValue("expires")?.number else { return nil }
        return RedisInfo.Keyspace(database: database, keys: keys, expires: expires, averageTTLMilliseconds: value.pairValue("avg_ttl")?.number)
    }

    static func replica(_ value: InfoBytes) -> RedisInfo.Replica? {
        guard let offset = value.pairValue("offset")?.number else { return nil }
        return RedisInfo.Replica(
            ip: value.pairValue("ip")?.string ?? "", port: value.pairValue("port")?.string ?? "",
            state: value.pairValue("state")?.string ?? "", offset: offset, lag: value.pairValue("lag")?.number)
    }

    /// `slave0`, `slave12`: the prefix followed by digits only.
    static func isNumbered(_ key: InfoBytes, prefix: StaticString) -> Bool {
        guard key.hasPrefix(prefix) else { return false }
        let digits = key.dropFirst(prefix.utf8CodeUnitCount)
        return !digits.isEmpty && digits.range.allSatisfy { MetricNames.isDigit(digits.base[$0]) }
    }
}

/// INFO values converted without trapping: a number, or the words redis_exporter maps
/// (`ok`/`true` → 1, `err`/`fail`/`false` → 0). Anything else is no value.
enum RedisNumber {
    static func parse(_ text: Substring) -> Double? {
        if let integer = plainInteger(text.utf8) { return integer }
        if let number = Double(text), !number.isNaN { return number }
        switch text {
        case "ok", "true": return 1
        case "err", "fail", "false": return 0
        default: return nil
        }
    }

    static func parse(_ text: String) -> Double? { parse(Substring(text)) }

    /// Up to 15 ASCII digits, exact as an Int and as a Double: what `Double(text)` would give.
    static func plainInteger(_ digits: Substring.UTF8View) -> Double? {
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value = 0
        for b in digits {
            guard MetricNames.isDigit(b) else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        return Double(value)
    }

    /// Most INFO values are plain integers: up to 15 digits are exact as an Int and as a Double,
    /// so they skip building a String for strtod. Everything else goes the general way.
    static func parse(_ bytes: InfoBytes) -> Double? {
        if !bytes.isEmpty, bytes.count <= 15 {
            var value = 0
            for i in bytes.range {
                let b = bytes.base[i]
                guard MetricNames.isDigit(b) else { return parse(Substring(bytes.string)) }
                value = value * 10 + Int(b - 0x30)
            }
            return Double(value)
        }
        return parse(Substring(bytes.string))
    }
}
