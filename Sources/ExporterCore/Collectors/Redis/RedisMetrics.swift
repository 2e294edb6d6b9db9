/// redis_exporter 1.45's names, types and units (Debian's prometheus-redis-exporter, checked by
/// scripts/redis-compat), each with an `addr` label that tells the servers of one exporter apart.
enum RedisMetrics {
    /// A plain INFO field and the metric it becomes; `scale` converts units (µs → s).
    struct Field: Sendable {
        let key: String
        let descriptor: FamilyDescriptor
        let scale: Double
    }

    static func family(_ name: String, _ type: MetricType, _ help: String, _ labels: [String] = []) -> FamilyDescriptor {
        let unit = name.hasSuffix("_bytes") ? "bytes" : (name.hasSuffix("_seconds") || name.hasSuffix("_seconds_total")) ? "seconds" : ""
        return FamilyDescriptor(name: "redis_" + name, type: type, help: help, unit: unit, labels: ["addr"] + labels)
    }

    private static func gauge(_ key: String, _ name: String, scale: Double = 1) -> Field {
        Field(key: key, descriptor: family(name, .gauge, "Redis INFO field \(key)."), scale: scale)
    }

    private static func counter(_ key: String, _ name: String) -> Field {
        Field(key: key, descriptor: family(name, .counter, "Redis INFO field \(key)."), scale: 1)
    }

    /// INFO fields mapped one to one, as redis_exporter's metricMapGauges/metricMapCounters.
    static let fields: [Field] = [
        gauge("uptime_in_seconds", "uptime_in_seconds"), gauge("process_id", "process_id"), gauge("io_threads_active", "io_threads_active"),
        gauge("connected_clients", "connected_clients"), gauge("blocked_clients", "blocked_clients"),
        gauge("tracking_clients", "tracking_clients"), gauge("clients_in_timeout_table", "clients_in_timeout_table"),
        gauge("cluster_connections", "cluster_connections"),
        gauge("client_longest_output_list", "client_longest_output_list"), gauge("client_biggest_input_buf", "client_biggest_input_buf"),
        gauge("client_recent_max_output_buffer", "client_recent_max_output_buffer_bytes"),
        gauge("client_recent_max_input_buffer", "client_recent_max_input_buffer_bytes"),
        gauge("allocator_active", "allocator_active_bytes"), gauge("allocator_allocated", "allocator_allocated_bytes"),
        gauge("allocator_resident", "allocator_resident_bytes"), gauge("allocator_frag_ratio", "allocator_frag_ratio"),
        gauge("allocator_frag_bytes", "allocator_frag_bytes"), gauge("allocator_rss_ratio", "allocator_rss_ratio"),
        gauge("allocator_rss_bytes", "allocator_rss_bytes"),
        gauge("used_memory", "memory_used_bytes"), gauge("used_memory_rss", "memory_used_rss_bytes"),
        gauge("used_memory_peak", "memory_used_peak_bytes"), gauge("used_memory_lua", "memory_used_lua_bytes"),
        gauge("used_memory_overhead", "memory_used_overhead_bytes"), gauge("used_memory_startup", "memory_used_startup_bytes"),
        gauge("used_memory_dataset", "memory_used_dataset_bytes"), gauge("used_memory_scripts", "memory_used_scripts_bytes"),
        gauge("maxmemory", "memory_max_bytes"), gauge("number_of_cached_scripts", "number_of_cached_scripts"),
        gauge("mem_fragmentation_ratio", "mem_fragmentation_ratio"), gauge("mem_fragmentation_bytes", "mem_fragmentation_bytes"),
        gauge("mem_clients_slaves", "mem_clients_slaves"), gauge("mem_clients_normal", "mem_clients_normal"),
        gauge("mem_not_counted_for_evict", "mem_not_counted_for_eviction_bytes"),
        gauge("lazyfree_pending_objects", "lazyfree_pending_objects"), gauge("active_defrag_running", "active_defrag_running"),
        gauge("migrate_cached_sockets", "migrate_cached_sockets_total"),
        gauge("active_defrag_hits", "defrag_hits"), gauge("active_defrag_misses", "defrag_misses"),
        gauge("active_defrag_key_hits", "defrag_key_hits"), gauge("active_defrag_key_misses", "defrag_key_misses"),
        gauge("expired_time_cap_reached_count", "expired_time_cap_reached_total"),
        gauge("loading", "loading_dump_file"), gauge("rdb_changes_since_last_save", "rdb_changes_since_last_save"),
        gauge("rdb_bgsave_in_progress", "rdb_bgsave_in_progress"), gauge("rdb_last_save_time", "rdb_last_save_timestamp_seconds"),
        gauge("rdb_last_bgsave_status", "rdb_last_bgsave_status"), gauge("rdb_last_bgsave_time_sec", "rdb_last_bgsave_duration_sec"),
        gauge("rdb_current_bgsave_time_sec", "rdb_current_bgsave_duration_sec"), gauge("rdb_last_cow_size", "rdb_last_cow_size_bytes"),
        gauge("aof_enabled", "aof_enabled"), gauge("aof_rewrite_in_progress", "aof_rewrite_in_progress"),
        gauge("aof_rewrite_scheduled", "aof_rewrite_scheduled"), gauge("aof_last_rewrite_time_sec", "aof_last_rewrite_duration_sec"),
        gauge("aof_current_rewrite_time_sec", "aof_current_rewrite_duration_sec"), gauge("aof_last_cow_size", "aof_last_cow_size_bytes"),
        gauge("aof_current_size", "aof_current_size_bytes"), gauge("aof_base_size", "aof_base_size_bytes"),
        gauge("aof_pending_rewrite", "aof_pending_rewrite"), gauge("aof_buffer_length", "aof_buffer_length"),
        gauge("aof_rewrite_buffer_length", "aof_rewrite_buffer_length"), gauge("aof_pending_bio_fsync", "aof_pending_bio_fsync"),
        gauge("aof_delayed_fsync", "aof_delayed_fsync"), gauge("aof_last_bgrewrite_status", "aof_last_bgrewrite_status"),
        gauge("aof_last_write_status", "aof_last_write_status"), gauge("module_fork_in_progress", "module_fork_in_progress"),
        gauge("module_fork_last_cow_size", "module_fork_last_cow_size"),
        gauge("expired_stale_perc", "expired_stale_percentage"), gauge("pubsub_channels", "pubsub_channels"),
        gauge("pubsub_patterns", "pubsub_patterns"), gauge("latest_fork_usec", "latest_fork_seconds", scale: 1e-6),
        gauge("tracking_total_keys", "tracking_total_keys"), gauge("tracking_total_items", "tracking_total_items"),
        gauge("tracking_total_prefixes", "tracking_total_prefixes"),
        gauge("connected_slaves", "connected_slaves"), gauge("repl_backlog_size", "replication_backlog_bytes"),
        gauge("repl_backlog_active", "repl_backlog_is_active"), gauge("repl_backlog_first_byte_offset", "repl_backlog_first_byte_offset"),
        gauge("repl_backlog_histlen", "repl_backlog_history_bytes"), gauge("master_repl_offset", "master_repl_offset"),
        gauge("second_repl_offset", "second_repl_offset"), gauge("slave_expires_tracked_keys", "slave_expires_tracked_keys"),
        gauge("slave_priority", "slave_priority"), gauge("sync_full", "replica_resyncs_full"),
        gauge("sync_partial_ok", "replica_partial_resync_accepted"), gauge("sync_partial_err", "replica_partial_resync_denied"),
        gauge("cluster_enabled", "cluster_enabled"),
        counter("cluster_stats_messages_sent", "cluster_messages_sent_total"),
        counter("cluster_stats_messages_received", "cluster_messages_received_total"),
        counter("total_connections_received", "connections_received_total"), counter("total_commands_processed", "commands_processed_total"),
        counter("rejected_connections", "rejected_connections_total"), counter("total_net_input_bytes", "net_input_bytes_total"),
        counter("total_net_output_bytes", "net_output_bytes_total"), counter("expired_keys", "expired_keys_total"),
        counter("evicted_keys", "evicted_keys_total"), counter("keyspace_hits", "keyspace_hits_total"),
        counter("keyspace_misses", "keyspace_misses_total"), counter("used_cpu_sys", "cpu_sys_seconds_total"),
        counter("used_cpu_user", "cpu_user_seconds_total"), counter("used_cpu_sys_children", "cpu_sys_children_seconds_total"),
        counter("used_cpu_user_children", "cpu_user_children_seconds_total"),
        counter("used_cpu_sys_main_thread", "cpu_sys_main_thread_seconds_total"),
        counter("used_cpu_user_main_thread", "cpu_user_main_thread_seconds_total"),
        counter("unexpected_error_replies", "unexpected_error_replies"), counter("total_error_replies", "total_error_replies"),
        counter("dump_payload_sanitizations", "dump_payload_sanitizations"), counter("total_reads_processed", "total_reads_processed"),
        counter("total_writes_processed", "total_writes_processed"),
        counter("io_threaded_reads_processed", "io_threaded_reads_processed"),
        counter("io_threaded_writes_processed", "io_threaded_writes_processed"),
    ]

    /// INFO fields read as text: the instance info labels, the start time and replication.
    static let textKeys = [
        "uptime_in_seconds", "redis_mode", "server_mode", "maxmemory_policy", "os", "process_id", "redis_build_id", "redis_version",
        "role", "run_id", "tcp_port", "master_host", "master_port", "slave_read_only", "master_link_status",
        "master_last_io_seconds_ago", "master_sync_in_progress", "slave_repl_offset",
    ]

    /// Per INFO key: the index of its metric in `fields` and of its slot in `textKeys`, for one
    /// lookup per line.
    static let infoSlots: [String: (field: Int?, text: Int?)] = {
        var slots: [String: (field: Int?, text: Int?)] = [:]
        for (index, field) in fields.enumerated() where slots[field.key] == nil { slots[field.key] = (index, nil) }
        for (index, key) in textKeys.enumerated() { slots[key] = (slots[key]?.field, index) }
        return slots
    }()

    static let up = family("up", .gauge, "Whether the last scrape of the Redis server succeeded (1) or not (0).")
    static let startTime = family("start_time_seconds", .gauge, "Start time of the Redis server (Unix seconds).")
    static let instanceInfo = family(
        "instance_info", .gauge, "Information about the Redis server; the value is 1.",
        ["maxmemory_policy", "os", "process_id", "redis_build_id", "redis_mode", "redis_version", "role", "run_id", "tcp_port"])
    static let slaveInfo = family("slave_info", .gauge, "The primary of this replica; the value is 1.", ["master_host", "master_port", "read_only"])
    static let masterLinkUp = family("master_link_up", .gauge, "Whether the replica's link to its primary is up.", ["master_host", "master_port"])
    static let masterLastIO = family(
        "master_last_io_seconds_ago", .gauge, "Seconds since the replica last heard from its primary.", ["master_host", "master_port"])
    static let masterSyncInProgress = family(
        "master_sync_in_progress", .gauge, "Whether the replica is syncing from its primary.", ["master_host", "master_port"])
    static let slaveReplOffset = family("slave_repl_offset", .gauge, "Replication offset of the replica.", ["master_host", "master_port"])
    static let replicaOffset = family(
        "connected_slave_offset_bytes", .gauge, "Replication offset of a connected replica.", ["slave_ip", "slave_port", "slave_state"])
    static let replicaLag = family(
        "connected_slave_lag_seconds", .gauge, "Lag of a connected replica in seconds.", ["slave_ip", "slave_port", "slave_state"])
    static let dbKeys = family("db_keys", .gauge, "Keys in the database.", ["db"])
    static let dbKeysExpiring = family("db_keys_expiring", .gauge, "Keys with an expiry in the database.", ["db"])
    static let dbAverageTTL = family("db_avg_ttl_seconds", .gauge, "Average time to live of the database's expiring keys.", ["db"])
    static let commands = family("commands_total", .counter, "Calls of the command.", ["cmd"])
    static let commandSeconds = family("commands_duration_seconds_total", .counter, "Seconds spent in the command.", ["cmd"])
    static let commandsRejected = family("commands_rejected_calls_total", .counter, "Calls of the command rejected before it ran.", ["cmd"])
    static let commandsFailed = family("commands_failed_calls_total", .counter, "Calls of the command that failed.", ["cmd"])
    static let latencyPercentiles = family("latency_percentiles_usec", .summary, "Latency percentiles of the command in microseconds.", ["cmd"])
    static let errors = family("errors_total", .counter, "Error replies by error prefix.", ["err"])
    static let configMaxMemory = family("config_maxmemory", .gauge, "CONFIG GET maxmemory.")
    static let configMaxClients = family("config_maxclients", .gauge, "CONFIG GET maxclients.")
    static let configIOThreads = family("config_io_threads", .gauge, "CONFIG GET io-threads.")
    static let slowlogLength = family("slowlog_length", .gauge, "Entries in the slow log (SLOWLOG LEN).")
    static let slowlogLastID = family("slowlog_last_id", .gauge, "ID of the last slow log entry.")
    static let lastSlowExecution = family("last_slow_execution_duration_seconds", .gauge, "Duration of the last slow log entry.")
    static let latencySpikeLast = family("latency_spike_last", .gauge, "Unix time of the latest latency spike (LATENCY LATEST).", ["event_name"])
    static let latencySpikeSeconds = family(
        "latency_spike_duration_seconds", .gauge, "Duration of the latest latency spike (LATENCY LATEST).", ["event_name"])
    static let lastScrapeError = family("exporter_last_scrape_error", .gauge, "1 and the reason when the last scrape failed, else 0.", ["err"])
    static let connectTime = family("exporter_last_scrape_connect_time_seconds", .gauge, "Seconds to connect (and handshake) to the server.")
    static let pingTime = family("exporter_last_scrape_ping_time_seconds", .gauge, "Round trip of PING in seconds.")
    static let scrapeDuration = family("exporter_last_scrape_duration_seconds", .gauge, "Seconds the last scrape of the server took.")
    static let scrapes = family("exporter_scrapes_total", .counter, "Scrapes of the server by this exporter.")
}
