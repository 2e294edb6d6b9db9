/// One server's scrape as metric families, the way redis_exporter 1.45 maps INFO, CONFIG GET,
/// SLOWLOG and LATENCY LATEST, every series labelled with the server's `addr`.
enum RedisFamilies {
    /// What the collector knows of a server besides its replies.
    struct Scrape {
        var addr: String
        var result: Result<RedisReplies, RedisClientError>
        var scrapes: Double
        var seconds: Double
        /// Wall-clock now, for the start time (now − uptime).
        var now: Double
    }

    static func families(_ scrape: Scrape) -> [MetricFamily] {
        let addr = scrape.addr
        var out: [MetricFamily] = []
        out.reserveCapacity(160)
        func one(_ descriptor: FamilyDescriptor, _ value: Double) { out.append(MetricFamily(descriptor, samples: [Sample(descriptor, [addr], value: value)])) }
        one(RedisMetrics.scrapes, scrape.scrapes)
        one(RedisMetrics.scrapeDuration, scrape.seconds)
        switch scrape.result {
        case .failure(let error):
            one(RedisMetrics.up, 0)
            out.append(MetricFamily(RedisMetrics.lastScrapeError, samples: [Sample(RedisMetrics.lastScrapeError, [addr, error.reason], value: 1)]))
        case .success(let replies):
            one(RedisMetrics.up, 1)
            out.append(MetricFamily(RedisMetrics.lastScrapeError, samples: [Sample(RedisMetrics.lastScrapeError, [addr, ""], value: 0)]))
            one(RedisMetrics.connectTime, replies.connectSeconds)
            if let ping = replies.pingSeconds { one(RedisMetrics.pingTime, ping) }
            out += info(replies.info, addr: addr, now: scrape.now)
            out += databases(replies.info, config: replies.config, addr: addr)
            out += commands(replies.info, addr: addr)
            out += extras(replies, addr: addr)
        }
        return out
    }

    /// The plain INFO fields, the instance and replication families. One hash lookup per field
    /// (`RedisMetrics.infoSlots`), and one label array shared by every `addr`-only series (the
    /// normalizer checks a shared array once): a dictionary of every field and an array per sample
    /// were a fifth of a scrape's instructions (callgrind).
    static func info(_ info: RedisInfo, addr: String, now: Double) -> [MetricFamily] {
        var out: [MetricFamily] = []
        out.reserveCapacity(info.fields.count)
        let labels = [Label("addr", addr)]
        var texts = [String?](repeating: nil, count: RedisMetrics.textKeys.count)
        for field in info.fields {
            guard let slot = RedisMetrics.infoSlots[field.key] else { continue }
            if let text = slot.text { texts[text] = field.value }  // the last of a repeated key, as a dictionary would
            guard let index = slot.field, let number = RedisNumber.parse(field.value) else { continue }
            let mapping = RedisMetrics.fields[index]
            out.append(MetricFamily(mapping.descriptor, samples: [Sample(labels: labels, value: number * mapping.scale)]))
        }
        let values = InfoTexts(texts: texts)
        if let uptime = values["uptime_in_seconds"].flatMap(RedisNumber.parse) {
            out.append(MetricFamily(RedisMetrics.startTime, samples: [Sample(labels: labels, value: (now - uptime).rounded(.down))]))
        }
        let v = { (key: String) in values[key] ?? "" }
        let d = RedisMetrics.instanceInfo
        let mode = values["redis_mode"] ?? v("server_mode")
        out.append(MetricFamily(d, samples: [Sample(d, [
            addr, v("maxmemory_policy"), v("os"), v("process_id"), v("redis_build_id"), mode, v("redis_version"), v("role"), v("run_id"),
            v("tcp_port"),
        ], value: 1)]))
        out += replication(info, values: values, addr: addr)
        return out
    }

    /// The INFO fields read as text (`RedisMetrics.textKeys`), by key.
    struct InfoTexts {
        let texts: [String?]
        subscript(key: String) -> String? { RedisMetrics.infoSlots[key]?.text.flatMap { texts[$0] } }
    }

    static func replication(_ info: RedisInfo, values: InfoTexts, addr: String) -> [MetricFamily] {
        var out: [MetricFamily] = []
        let host = values["master_host"] ?? "", port = values["master_port"] ?? ""
        if values["role"] == "slave" {
            let d = RedisMetrics.slaveInfo
            out.append(MetricFamily(d, samples: [Sample(d, [addr, host, port, values["slave_read_only"] ?? ""], value: 1)]))
        }
        func master(_ d: FamilyDescriptor, _ value: Double?) {
            if let value { out.append(MetricFamily(d, samples: [Sample(d, [addr, host, port], value: value)])) }
        }
        if let status = values["master_link_status"] { master(RedisMetrics.masterLinkUp, status == "up" ? 1 : 0) }
        // redis_exporter reads these as integers, so a bad value is 0 there; here it is left out.
        master(RedisMetrics.masterLastIO, values["master_last_io_seconds_ago"].flatMap(RedisNumber.parse))
        master(RedisMetrics.masterSyncInProgress, values["master_sync_in_progress"].flatMap(RedisNumber.parse))
        master(RedisMetrics.slaveReplOffset, values["slave_repl_offset"].flatMap(RedisNumber.parse))
        if !info.replicas.isEmpty {
            var offsets = MetricFamily(RedisMetrics.replicaOffset), lags = MetricFamily(RedisMetrics.replicaLag)
            for replica in info.replicas {
                offsets.add([addr, replica.ip, replica.port, replica.state], replica.offset)
                if let lag = replica.lag { lags.add([addr, replica.ip, replica.port, replica.state], lag) }
            }
            out.append(offsets)
            if !lags.samples.isEmpty { out.append(lags) }
        }
        return out
    }

    /// Keys per database; databases INFO does not list (empty) count 0 up to CONFIG's `databases`.
    static func databases(_ info: RedisInfo, config: [String: String], addr: String) -> [MetricFamily] {
        var keys = MetricFamily(RedisMetrics.dbKeys), expiring = MetricFamily(RedisMetrics.dbKeysExpiring)
        var ttl = MetricFamily(RedisMetrics.dbAverageTTL)
        var seen = Set<String>()
        for space in info.keyspaces {
            seen.insert(space.database)
            keys.add([addr, space.database], space.keys)
            expiring.add([addr, space.database], space.expires)
            if let milliseconds = space.averageTTLMilliseconds { ttl.add([addr, space.database], milliseconds / 1000) }
        }
        // Bounded: a server claiming millions of databases does not make millions of series.
        let count = min(config["databases"].flatMap { Int($0) } ?? 0, 1024)
        for index in 0..<max(0, count) where !seen.contains("db\(index)") {
            keys.add([addr, "db\(index)"], 0)
            expiring.add([addr, "db\(index)"], 0)
        }
        return [keys, expiring, ttl].filter { !$0.samples.isEmpty }
    }

    /// Commandstats, Latencystats (a summary per command, count and sum from Commandstats) and
    /// Errorstats.
    static func commands(_ info: RedisInfo, addr: String) -> [MetricFamily] {
        var calls = MetricFamily(RedisMetrics.commands), seconds = MetricFamily(RedisMetrics.commandSeconds)
        var rejected = MetricFamily(RedisMetrics.commandsRejected), failed = MetricFamily(RedisMetrics.commandsFailed)
        var byCommand: [String: RedisInfo.CommandStat] = [:]
        for stat in info.commands {
            byCommand[stat.command] = stat
            calls.add([addr, stat.command], stat.calls)
            seconds.add([addr, stat.command], stat.microseconds / 1e6)
            if let value = stat.rejectedCalls { rejected.add([addr, stat.command], value) }
            if let value = stat.failedCalls { failed.add([addr, stat.command], value) }
        }
        var latency = MetricFamily(RedisMetrics.latencyPercentiles)
        for entry in info.latencies {
            guard let stat = byCommand[entry.command] else { continue }
            for (quantile, microseconds) in entry.quantiles {
                latency.samples.append(Sample(labels: [Label("addr", addr), Label("cmd", entry.command), Label("quantile", quantile)], value: microseconds))
            }
            latency.samples.append(Sample(labels: [Label("addr", addr), Label("cmd", entry.command)], value: stat.microseconds, suffix: "_sum"))
            latency.samples.append(Sample(labels: [Label("addr", addr), Label("cmd", entry.command)], value: stat.calls, suffix: "_count"))
        }
        var errors = MetricFamily(RedisMetrics.errors)
        for (prefix, count) in info.errors { errors.add([addr, prefix], count) }
        return [calls, seconds, rejected, failed, latency, errors].filter { !$0.samples.isEmpty }
    }

    /// CONFIG GET, SLOWLOG and LATENCY LATEST.
    static func extras(_ replies: RedisReplies, addr: String) -> [MetricFamily] {
        var out: [MetricFamily] = []
        func one(_ d: FamilyDescriptor, _ value: Double?) {
            if let value { out.append(MetricFamily(d, samples: [Sample(d, [addr], value: value)])) }
        }
        one(RedisMetrics.configMaxMemory, replies.config["maxmemory"].flatMap(RedisNumber.parse))
        one(RedisMetrics.configMaxClients, replies.config["maxclients"].flatMap(RedisNumber.parse))
        one(RedisMetrics.configIOThreads, replies.config["io-threads"].flatMap(RedisNumber.parse))
        one(RedisMetrics.slowlogLength, replies.slowlogLength)
        if replies.slowlogLength != nil {
            one(RedisMetrics.slowlogLastID, replies.slowlogLastID ?? 0)
            one(RedisMetrics.lastSlowExecution, (replies.slowlogLastMicroseconds ?? 0) / 1e6)
        }
        if !replies.latency.isEmpty {
            var last = MetricFamily(RedisMetrics.latencySpikeLast), duration = MetricFamily(RedisMetrics.latencySpikeSeconds)
            for spike in replies.latency {
                last.add([addr, spike.event], spike.timestamp)
                duration.add([addr, spike.event], spike.latestMilliseconds / 1000)
            }
            out += [last, duration]
        }
        return out
    }
}
