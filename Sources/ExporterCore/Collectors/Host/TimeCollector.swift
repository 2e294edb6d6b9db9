enum TimeMetrics {
    static let now = FamilyDescriptor(name: "node_time_seconds", type: .gauge, help: "System time in seconds since epoch (1970).", unit: "seconds")
    static let zoneOffset = FamilyDescriptor(
        name: "node_time_zone_offset_seconds", type: .gauge, help: "System time zone offset in seconds.", unit: "seconds",
        labels: ["time_zone"])
    static let clocksourceAvailable = FamilyDescriptor(
        name: "node_time_clocksource_available_info", type: .gauge,
        help: "Available clocksources read from '/sys/devices/system/clocksource'.", labels: ["device", "clocksource"])
    static let clocksourceCurrent = FamilyDescriptor(
        name: "node_time_clocksource_current_info", type: .gauge,
        help: "Current clocksource read from '/sys/devices/system/clocksource'.", labels: ["device", "clocksource"])
}

/// `node_time_seconds`, the local zone offset, and the kernel's clocksources.
struct TimeCollector: ProcFSCollector {
    let sys: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let now = WallClock.now()
        let zone = LocalTimeZone.current(at: now)
        var offset = MetricFamily(TimeMetrics.zoneOffset)
        offset.add([zone.name], Double(zone.offsetSeconds))
        var available = MetricFamily(TimeMetrics.clocksourceAvailable)
        var current = MetricFamily(TimeMetrics.clocksourceCurrent)
        let base = "devices/system/clocksource"
        for entry in (FileReader.directoryEntries(sys.path(base)) ?? []).sorted() where entry.hasPrefix("clocksource") {
            let device = String(entry.dropFirst("clocksource".count))
            guard UInt32(device) != nil else { continue }
            if let text = try? sys.read("\(base)/\(entry)/available_clocksource") {
                for source in ProcText.fields(ProcText.trimmed(text)) { available.add([device, String(source)], 1) }
            }
            if let text = try? sys.read("\(base)/\(entry)/current_clocksource") {
                let source = ProcText.trimmed(text)
                if !source.isEmpty { current.add([device, String(source)], 1) }
            }
        }
        return [MetricFamily(TimeMetrics.now, value: now), offset, available, current]
    }
}
