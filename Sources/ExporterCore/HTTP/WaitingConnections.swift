/// The connections waiting for a request head (idle keep-alive, silent since accept, or sending a
/// head slowly), oldest first: at `--web.max-connections` the oldest is closed for the new one,
/// so thousands of silent sockets cannot lock Prometheus out. A connection that completes its
/// head quickly (as a scraper's does, in well under a millisecond) is never the oldest.
///
/// Entries are stamped with the connection's reading generation and checked when taken, so a
/// connection that moved on (or closed) needs no removal: stale entries are skipped, and the queue
/// is compacted when they outnumber the live connections.
struct WaitingConnections {
    private var entries: [(id: UInt64, generation: UInt64)] = []
    private var head = 0

    /// `connection` started waiting for a request head.
    mutating func append(_ connection: Connection, among connections: [UInt64: Connection]) {
        entries.append((connection.id, connection.readingGeneration))
        // Amortised O(1): a compaction keeps at most one entry per connection.
        if entries.count - head > 2 * connections.count + 64 {
            entries = entries[head...].filter { Self.isWaiting(connections[$0.id], generation: $0.generation) }
            head = 0
        }
    }

    /// The oldest connection still waiting, removed from the queue; nil when none is.
    mutating func takeOldest(in connections: [UInt64: Connection]) -> Connection? {
        while head < entries.count {
            let entry = entries[head]
            head += 1
            if let connection = connections[entry.id], Self.isWaiting(connection, generation: entry.generation) {
                return connection
            }
        }
        entries.removeAll(keepingCapacity: true)
        head = 0
        return nil
    }

    private static func isWaiting(_ connection: Connection?, generation: UInt64) -> Bool {
        guard let connection, connection.readingGeneration == generation, case .reading = connection.phase else { return false }
        return true
    }
}
