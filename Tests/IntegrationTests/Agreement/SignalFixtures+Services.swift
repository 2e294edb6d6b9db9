@testable import ExporterCore

extension SignalFixtures {
    static let services: [SignalFixture] = postgres + containers + web

    static let postgres: [SignalFixture] = [
        state("postgres_down", "pg_up", pg, good: 1),
        SignalFixture(id: "postgres_connections", labels: pg) {
            [pgUp, gauge("pg_settings_max_connections", pg, 100),
             gauge("pg_stat_activity_count", pg.merging(["datname": "app", "state": "active"]) { a, _ in a }, 100 * $0)]
        },
        SignalFixture(id: "postgres_long_query", labels: pg.merging(["datname": "app"]) { a, _ in a }) {
            [pgUp, gauge("pg_stat_activity_max_tx_duration", pg.merging(["datname": "app", "state": "active"]) { a, _ in a }, $0)]
        },
        SignalFixture(id: "postgres_cache_hit", labels: pg.merging(["datname": "app"]) { a, _ in a }) {
            let db = pg.merging(["datname": "app"]) { a, _ in a }
            return [pgUp, counter("pg_stat_database_blks_hit", db, perSecond: 1000 * $0),
                    counter("pg_stat_database_blks_read", db, perSecond: 1000 * (1 - $0))]
        },
        SignalFixture(id: "postgres_query_duration", labels: pg.merging(["datname": "app"]) { a, _ in a }) {
            let statement = pg.merging(["datname": "app", "user": "shop", "queryid": "42"]) { a, _ in a }
            return [pgUp, counter("pg_stat_statements_calls_total", statement, perSecond: 10),
                    counter("pg_stat_statements_seconds_total", statement, perSecond: 10 * $0)]
        },
        SignalFixture(id: "postgres_lock_wait", labels: pg) { [pgUp, gauge("pg_lock_waits_max_wait_seconds", pg, $0)] },
    ]

    static let containers: [SignalFixture] = [
        state("container_unhealthy", "container_health_state", container, good: 1),
        state("container_restarting", "container_state", container.merging(["state": "restarting"]) { a, _ in a }, good: 0),
        state("container_exited", "container_state", container.merging(["state": "exited"]) { a, _ in a }, good: 0,
              extra: [gauge("container_exit_code", container, 3), gauge("container_oom_killed", container, 0)]),
        state("container_exited", "container_state", container.merging(["state": "dead"]) { a, _ in a }, good: 0,
              extra: [gauge("container_exit_code", container, 0), gauge("container_oom_killed", container, 1)]),
        SignalFixture(id: "container_memory", labels: container) {
            [gauge("container_memory_working_set_bytes", container, 1000 * $0), gauge("container_spec_memory_limit_bytes", container, 1000)]
        },
    ]

    static let web: [SignalFixture] = [
        state("redis_down", "redis_up", redis, good: 1),
        SignalFixture(id: "redis_memory", labels: redis) {
            [redisUp, gauge("redis_memory_used_bytes", redis, 1000 * $0), gauge("redis_memory_max_bytes", redis, 1000)]
        },
        SignalFixture(id: "redis_rejected", labels: redis) { [redisUp, counter("redis_rejected_connections_total", redis, perSecond: $0)] },
        state("redis_bgsave", "redis_rdb_last_bgsave_status", redis, good: 1, extra: [redisUp]),
        state("nginx_down", "nginx_up", ["addr": "http://127.0.0.1:8080/stub_status"], good: 1),
        SignalFixture(id: "nginx_5xx", labels: [:]) {
            [counter("nginx_http_responses_total", ["status_class": "5xx"], perSecond: 100 * $0),
             counter("nginx_http_responses_total", ["status_class": "2xx"], perSecond: 100 * (1 - $0))]
        },
        state("http_probe", "probe_success", probe, good: 1),
        SignalFixture(id: "http_duration", labels: probe) { [gauge("probe_duration_seconds", probe, $0)] },
    ]
}
