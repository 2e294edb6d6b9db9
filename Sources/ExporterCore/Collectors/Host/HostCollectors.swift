/// The host collectors (node_exporter names) and their shared flags.
public enum HostCollectors {
    public static let modules: [CollectorModule] = [
        module("arp", "ARP entries per device from /proc/net/arp.") { paths, _, _ in ARPCollector(proc: paths.proc) },
        module("cpu", "CPU time per mode from /proc/stat; machine_cpu_cores.") { paths, _, shared in
            CPUCollector(proc: paths.proc, source: shared.procStat(paths.proc))
        },
        module("conntrack", "connection tracking table from /proc/sys/net/netfilter.") { paths, _, _ in
            ConntrackCollector(proc: paths.proc)
        },
        module("diskstats", "disk I/O from /proc/diskstats.", flags: DiskStatsMetrics.flags) { paths, flags, _ in
            DiskStatsCollector(
                proc: paths.proc, udevData: flags[DiskStatsMetrics.udevData],
                deviceExclude: try NamePattern(DiskStatsMetrics.deviceExclude, in: flags))
        },
        module("entropy", "available entropy from /proc/sys/kernel/random.") { paths, _, _ in EntropyCollector(proc: paths.proc) },
        module("filefd", "file handles from /proc/sys/fs/file-nr.") { paths, _, _ in FileFDCollector(proc: paths.proc) },
        module("filesystem", "file system sizes from the mount table and statfs.", flags: FilesystemMetrics.flags) { paths, flags, _ in
            FilesystemCollector(
                proc: paths.proc, rootfs: paths.rootfs,
                mountPointsExclude: try NamePattern(FilesystemMetrics.mountPointsExclude, in: flags),
                fsTypesExclude: try NamePattern(FilesystemMetrics.fsTypesExclude, in: flags),
                mountTimeout: max(0.001, flags[FilesystemMetrics.mountTimeout]),
                prober: StatFSProber())
        },
        module("hwmon", "hardware sensors (temperature, fans, voltage, power) from /sys/class/hwmon.") { paths, _, _ in
            HwmonCollector(sys: paths.sys)
        },
        module("loadavg", "load averages from /proc/loadavg.") { paths, _, _ in LoadAverageCollector(proc: paths.proc) },
        module("mdadm", "Linux software RAID arrays from /proc/mdstat.") { paths, _, _ in MDAdmCollector(proc: paths.proc) },
        module("meminfo", "memory statistics from /proc/meminfo; machine_memory_bytes.") { paths, _, _ in
            MemInfoCollector(proc: paths.proc)
        },
        module("netclass", "network interface attributes from /sys/class/net.", flags: NetClassMetrics.flags) { paths, flags, _ in
            NetClassCollector(
                sys: paths.sys,
                ignoredDevices: try NamePattern(NetClassMetrics.ignoredDevices, in: flags))
        },
        module("netdev", "network interface traffic from /proc/net/dev.", flags: NetDevMetrics.flags) { paths, flags, _ in
            NetDevCollector(
                proc: paths.proc, sys: paths.sys,
                deviceExclude: try NamePattern(NetDevMetrics.deviceExclude, in: flags))
        },
        module("netstat", "network statistics from /proc/net/netstat, snmp and snmp6.", flags: NetStatMetrics.flags) { paths, flags, _ in
            NetStatCollector(
                proc: paths.proc, fields: try NamePattern(NetStatMetrics.fields, in: flags))
        },
        module("os", "OS release from /etc/os-release.") { paths, _, _ in OSCollector(rootfs: ProcFS(root: paths.rootfs)) },
        module("pressure", "pressure stall information from /proc/pressure.") { paths, _, _ in PressureCollector(proc: paths.proc) },
        module("processes", "process and thread counts by state from /proc/<pid>/stat.", enabledByDefault: false) { paths, _, _ in
            ProcessesCollector(proc: paths.proc)
        },
        module("schedstat", "scheduler statistics per CPU from /proc/schedstat.") { paths, _, _ in
            SchedStatCollector(proc: paths.proc)
        },
        module("sockstat", "socket statistics from /proc/net/sockstat.") { paths, _, _ in SockStatCollector(proc: paths.proc) },
        module("softnet", "packet processing per CPU from /proc/net/softnet_stat.") { paths, _, _ in
            SoftnetCollector(proc: paths.proc)
        },
        module("stat", "boot time, context switches, forks, interrupts from /proc/stat.") { paths, _, shared in
            StatCollector(proc: paths.proc, source: shared.procStat(paths.proc))
        },
        module("tcpstat", "TCP connections by state from /proc/net/tcp and tcp6.", enabledByDefault: false) { paths, _, _ in
            TCPStatCollector(proc: paths.proc)
        },
        module("time", "the system clock, time zone and clocksource.") { paths, _, _ in TimeCollector(sys: paths.sys) },
        module("timex", "the kernel clock discipline (offset, sync status) from adjtimex(2).") { _, _, _ in TimexCollector() },
        module("udp_queues", "UDP send and receive queues from /proc/net/udp and udp6.") { paths, _, _ in
            UDPQueuesCollector(proc: paths.proc)
        },
        module("uname", "uname(2) as node_uname_info.") { _, _, _ in UnameCollector() },
        module("vmstat", "virtual memory statistics from /proc/vmstat.", flags: VMStatMetrics.flags) { paths, flags, _ in
            VMStatCollector(
                proc: paths.proc, fields: try NamePattern(VMStatMetrics.fields, in: flags))
        },
    ]

    /// `enabledByDefault` is node_exporter's default for the collector of that name.
    private static func module(
        _ name: String, _ summary: String, enabledByDefault: Bool = true, flags: [FlagSpec] = [],
        make: @escaping @Sendable (HostPaths, ParsedFlags, SharedSources) throws -> any Collector
    ) -> CollectorModule {
        CollectorModule(name: name, enabledByDefault: enabledByDefault, summary: summary, flags: HostPaths.flags + flags) { settings in
            try make(HostPaths(flags: settings.flags), settings.flags, settings.shared)
        }
    }
}
