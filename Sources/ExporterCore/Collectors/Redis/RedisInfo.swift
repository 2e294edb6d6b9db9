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
    var info = RedisInfo()
    var section = ""
    for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
        var line = Substring(rawLine)
        if line.last == "\r" { line = line.dropLast() }
        if line.hasPrefix("#") {
            section = String(line.dropFirst().trimmingSpacesAndTabs)
            continue
        }
        guard let colon = line.firstIndex(of: ":") else { continue }
        let key = line[..<colon], value = line[line.index(after: colon)...]
        if !RedisInfoLines.special(key: key, value: value, section: section, into: &info) {
            info.fields.append(RedisInfo.Field(section: section, key: String(key), value: String(value)))
        }
    }
    return info
}

enum RedisInfoLines {
    /// Lines that name a command, an error, a database or a replica in their key; true when handled.
    static func special(key: Substring, value: Substring, section: String, into info: inout RedisInfo) -> Bool {
        if key.hasPrefix("cmdstat_") {
            if let stat = commandStat(String(key.dropFirst("cmdstat_".count)), value) { info.commands.append(stat) }
            return true
        }
        if key.hasPrefix("latency_percentiles_usec_") {
            let quantiles = pairs(value).compactMap { name, number -> (quantile: String, microseconds: Double)? in
                guard name.hasPrefix("p"), let us = RedisNumber.parse(number) else { return nil }
                return (String(name.dropFirst()), us)
            }
            info.latencies.append((String(key.dropFirst("latency_percentiles_usec_".count)), quantiles))
            return true
        }
        if key.hasPrefix("errorstat_") {
            if let count = pairs(value).first(where: { $0.0 == "count" }).flatMap({ RedisNumber.parse($0.1) }) {
                info.errors.append((String(key.dropFirst("errorstat_".count)), count))
            }
            return true
        }
        if section == "Keyspace", key.hasPrefix("db"), let keyspace = keyspace(String(key), value) {
            info.keyspaces.append(keyspace)
            return true
        }
        if section == "Replication", isNumbered(key, prefix: "slave") {
            if let replica = replica(value) { info.replicas.append(replica) }
            return true
        }
        return false
    }

    static func commandStat(_ command: String, _ value: Substring) -> RedisInfo.CommandStat? {
        let fields = Dictionary(pairs(value).map { (String($0.0), $0.1) }, uniquingKeysWith: { first, _ in first })
        guard let calls = fields["calls"].flatMap(RedisNumber.parse), let usec = fields["usec"].flatMap(RedisNumber.parse) else { return nil }
        return RedisInfo.CommandStat(
            command: command, calls: calls, microseconds: usec,
            rejectedCalls: fields["rejected_calls"].flatMap(RedisNumber.parse), failedCalls: fields["failed_calls"].flatMap(RedisNumber.parse))
    }

    static func keyspace(_ database: String, _ value: Substring) -> RedisInfo.Keyspace? {
        let fields = Dictionary(pairs(value).map { (String($0.0), $0.1) }, uniquingKeysWith: { first, _ in first })
        guard let keys = fields["keys"].flatMap(RedisNumber.parse), let expires = fields["expires"].flatMap(RedisNumber.parse) else { return nil }
        return RedisInfo.Keyspace(database: database, keys: keys, expires: expires, averageTTLMilliseconds: fields["avg_ttl"].flatMap(RedisNumber.parse))
    }

    static func replica(_ value: Substring) -> RedisInfo.Replica? {
        let fields = Dictionary(pairs(value).map { (String($0.0), $0.1) }, uniquingKeysWith: { first, _ in first })
        guard let offset = fields["offset"].flatMap(RedisNumber.parse) else { return nil }
        return RedisInfo.Replica(
            ip: fields["ip"].map(String.init) ?? "", port: fields["port"].map(String.init) ?? "",
            state: fields["state"].map(String.init) ?? "", offset: offset, lag: fields["lag"].flatMap(RedisNumber.parse))
    }

    /// `a=1,b=2` → [(a, 1), (b, 2)]; parts without `=` are skipped.
    static func pairs(_ value: Substring) -> [(Substring, Substring)] {
        value.split(separator: ",").compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            return (part[..<equals], part[part.index(after: equals)...])
        }
    }

    /// `slave0`, `slave12`: the prefix followed by digits only.
    static func isNumbered(_ key: Substring, prefix: String) -> Bool {
        guard key.hasPrefix(prefix) else { return false }
        let digits = key.dropFirst(prefix.count)
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }
}

/// INFO values converted without trapping: a number, or the words redis_exporter maps
/// (`ok`/`true` → 1, `err`/`fail`/`false` → 0). Anything else is no value.
enum RedisNumber {
    static func parse(_ text: Substring) -> Double? {
        if let number = Double(text), !number.isNaN { return number }
        switch text {
        case "ok", "true": return 1
        case "err", "fail", "false": return 0
        default: return nil
        }
    }

    static func parse(_ text: String) -> Double? { parse(Substring(text)) }
}
