/// The host collectors (node_exporter names) and their shared flags.
public enum HostCollectors {
    public static let modules: [CollectorModule] = [
        CollectorModule(
            name: "loadavg", enabledByDefault: true, summary: "load averages from /proc/loadavg.",
            flags: HostPaths.flags
        ) { settings in LoadAverageCollector(proc: HostPaths(flags: settings.flags).proc) },
    ]
}
