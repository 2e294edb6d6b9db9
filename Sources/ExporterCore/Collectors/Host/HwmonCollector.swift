/// `node_hwmon_*{chip,sensor}` from /sys/class/hwmon/*/ and their `device/` directories (older
/// drivers put the attributes there), `node_hwmon_chip_names{chip,chip_name}` and
/// `node_hwmon_sensor_label{chip,sensor,label}`, as node_exporter 1.5 builds them. Each attribute
/// is a file read on every scrape (a server board has a few hundred; docs/host.md). No
/// /sys/class/hwmon (VMs, containers) gives nothing.
struct HwmonCollector: ProcFSCollector {
    let sys: ProcFS

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let base = "class/hwmon"
        guard let entries = FileReader.directoryEntries(sys.path(base)) else { return [] }
        var families = HwmonFamilies()
        for entry in entries.sorted() {
            let directory = base + "/" + entry
            guard (try? FileSystem.status(sys.path(directory)))?.kind == .directory else { continue }
            let nameFile = try? sys.read(directory + "/name")
            guard let chip = Hwmon.chipName(
                devicePath: FileSystem.resolvedPath(sys.path(directory + "/device")), nameFile: nameFile, directory: entry)
            else { continue }
            if let nameFile, case let chipName = Hwmon.cleanName(ProcText.trimmed(nameFile)), !chipName.isEmpty {
                families.add("node_hwmon_chip_names", "Annotation metric for human-readable chip names",
                             ["chip", "chip_name"], [chip, chipName], 1)
            }
            var sensors: [String: (type: Substring, values: [Substring: String])] = [:]
            readSensors(in: directory, into: &sensors)
            readSensors(in: directory + "/device", into: &sensors)
            for (sensor, data) in sensors.sorted(by: { $0.key < $1.key }) {
                Hwmon.addSensor(chip: chip, sensor: sensor, type: data.type, values: data.values, to: &families)
            }
        }
        return families.families
    }

    /// The attribute files of known sensor types in `directory` (one read each; unreadable ones,
    /// like write-only or directories named `power`, are skipped as node_exporter skips them).
    private func readSensors(in directory: String, into sensors: inout [String: (type: Substring, values: [Substring: String])]) {
        for file in FileReader.directoryEntries(sys.path(directory)) ?? [] {
            guard let parts = Hwmon.split(file), let text = try? sys.read(directory + "/" + file) else { continue }
            sensors[parts.sensor, default: (parts.type, [:])].values[parts.property] = text
        }
    }
}
