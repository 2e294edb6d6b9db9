/// How many sessions the exporter may hold to a server's other databases (table statistics), so
/// that it is never why an application cannot log in ("remaining connection slots are reserved",
/// postgres_exporter #1228, #921): at most `--postgres.database-connections`, at most half of the
/// slots left free for ordinary roles, and never so many that fewer than `floor` stay free.
enum SessionBudget {
    /// Slots always left free for the applications.
    static let floor = 5

    /// Connection slots free for ordinary roles right now (PostgreSQL docs, "Connection Settings":
    /// `max_connections` less `superuser_reserved_connections` and, from 16, `reserved_connections`).
    /// `numbackends` counts every backend connected to a database, so background workers count
    /// too: the estimate errs on the side of fewer free slots.
    static let freeSlotsSQL = """
        SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int \
        - coalesce(current_setting('reserved_connections', true)::int, 0) \
        - (SELECT coalesce(sum(numbackends), 0) FROM pg_stat_database)::int
        """

    /// Sessions allowed to other databases, given the free slots measured while the exporter held
    /// `held` of them (those would be free were it to close them). Unknown free slots: the flag.
    static func otherDatabases(limit: Int, freeSlots: Int?, held: Int) -> Int {
        guard let freeSlots else { return max(0, limit) }
        let free = freeSlots + held
        return max(0, min(limit, free / 2, free - floor))
    }

    /// Whether the second session (the sizes) may stay open: fewer than `floor` free slots and
    /// its work goes back to the main session.
    static func allowsSecondSession(freeSlots: Int?) -> Bool {
        (freeSlots ?? floor) >= floor
    }
}
