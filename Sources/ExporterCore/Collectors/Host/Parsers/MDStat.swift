/// One array of /proc/mdstat (drivers/md/md.c, md_seq_show), read as prometheus/procfs v0.8.0
/// (node_exporter 1.5.0) reads it: `mdN : <state> [personality] disks…`, then the status line
/// (`<blocks> blocks … [total/active] [UU_]`), maybe a bitmap line, then maybe a sync line.
struct MDStat: Equatable {
    var name: String
    /// The third field (`active`, `inactive`, or `(read-only)`…), or recovering/resyncing/checking.
    var state: String
    var disksActive, disksFailed, disksSpare, disksTotal: Double
    var blocks, blocksSynced: Double
}

func parseMDStat(_ text: String) -> ParsedRows<MDStat> {
    var result = ParsedRows<MDStat>()
    let lines = ProcText.allLines(text)
    for (i, line) in lines.enumerated() {
        guard let first = line.first, first != " ", first != "\t", !line.hasPrefix("Personalities"),
              !line.hasPrefix("unused"), !ProcText.fields(line).isEmpty
        else { continue }
        if let array = parseMDArray(line, following: lines[(i + 1)...]) {
            result.rows.append(array)
        } else {
            result.rejected.append(ParseError(file: "mdstat", line: i + 1, text: line))
        }
    }
    return result
}

private func parseMDArray(_ line: Substring, following: ArraySlice<Substring>) -> MDStat? {
    let fields = ProcText.fields(line)
    guard fields.count >= 3, let statusLine = following.first,
          let count = ProcText.fields(statusLine).first.flatMap({ UInt64($0) })
    else { return nil }
    let blocks = Double(count)
    var array = MDStat(
        name: String(fields[0]), state: String(fields[2]), disksActive: 0,
        disksFailed: Double(line.occurrences(of: "(F)")), disksSpare: Double(line.occurrences(of: "(S)")),
        disksTotal: 0, blocks: blocks, blocksSynced: blocks)
    if line.contains("raid0") || line.contains("linear") {
        array.disksTotal = Double(line.occurrences(of: "["))
        array.disksActive = array.disksTotal
    } else if !line.contains("inactive") {
        guard let (total, active) = mdDiskCounts(statusLine) else { return nil }
        array.disksTotal = total
        array.disksActive = active
    }
    var rest = following.dropFirst()
    if let next = rest.first, next.contains("bitmap") { rest = rest.dropFirst() }
    let sync = rest.first ?? ""
    let recovering = sync.contains("recovery"), resyncing = sync.contains("resync"), checking = sync.contains("check")
    guard recovering || resyncing || checking else { return array }
    array.state = recovering ? "recovering" : checking ? "checking" : "resyncing"
    if sync.contains("PENDING") || sync.contains("DELAYED") {
        array.blocksSynced = 0
    } else {
        // `[=>…]  recovery =  8.5% (16775552/195310144) finish=…`: the synced blocks in parentheses.
        guard let open = sync.firstIndex(of: "("), let slash = sync[open...].firstIndex(of: "/"),
              let synced = UInt64(sync[sync.index(after: open)..<slash])
        else { return nil }
        array.blocksSynced = Double(synced)
    }
    return array
}

/// `… [8/7] [UUUUUUU_]` → (8, 7): the last `[total/active]` before the `[U_]` map.
private func mdDiskCounts(_ statusLine: Substring) -> (Double, Double)? {
    for field in ProcText.fields(statusLine).reversed() where field.hasPrefix("[") && field.hasSuffix("]") {
        let inner = field.dropFirst().dropLast()
        guard let slash = inner.firstIndex(of: "/") else { continue }
        guard let total = UInt32(inner[..<slash]), let active = UInt32(inner[inner.index(after: slash)...]) else { return nil }
        return (Double(total), Double(active))
    }
    return nil
}

extension Substring {
    /// How many times `needle` occurs (without overlapping), on UTF-8 bytes.
    func occurrences(of needle: String) -> Int {
        let hay = Array(utf8), pattern = Array(needle.utf8)
        guard !pattern.isEmpty, hay.count >= pattern.count else { return 0 }
        var count = 0, i = 0
        while i <= hay.count - pattern.count {
            if hay[i..<(i + pattern.count)].elementsEqual(pattern) { count += 1; i += pattern.count } else { i += 1 }
        }
        return count
    }

    /// Whether `needle` occurs at all.
    func contains(_ needle: String) -> Bool { occurrences(of: needle) > 0 }
}
