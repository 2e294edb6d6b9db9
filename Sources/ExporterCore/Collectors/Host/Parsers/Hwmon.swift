/// sysfs hwmon attributes (Documentation/hwmon/sysfs-interface.rst) turned into node_exporter's
/// `node_hwmon_*` families: `<type><n>_<property>` files, values in milli-units (µ for power,
/// energy and humidity), under a chip name derived from the device path.
enum Hwmon {
    /// The sensor types node_exporter reads; other files (`name`, `uevent`, `power/`…) are not.
    static let sensorTypes: Set<Substring> = [
        "vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr", "power", "energy",
        "humidity", "intrusion",
    ]

    /// A label file's text without the newlines around it; blanks are kept, as node_exporter keeps them.
    static func withoutNewlines(_ text: String) -> String {
        String(text.drop(while: { $0 == "\n" }).reversed().drop(while: { $0 == "\n" }).reversed())
    }

    /// node_exporter's cleanMetricName: lower case, `[^a-z0-9:_]` → `_`, leading and trailing `_` trimmed.
    static func cleanName(_ text: some StringProtocol) -> String {
        var bytes = Array(text.lowercased().utf8)
        for i in bytes.indices {
            let b = bytes[i]
            if !((b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x3A || b == 0x5F) { bytes[i] = 0x5F }
        }
        let trimmed = bytes.drop(while: { $0 == 0x5F }).reversed().drop(while: { $0 == 0x5F }).reversed()
        return String(decoding: Array(trimmed), as: UTF8.self)
    }

    /// `temp1_crit_alarm` → (`temp`, `temp1`, `crit_alarm`); `beep_enable` → (`beep_enable`,
    /// `beep_enable0`, ``): node_exporter's `^([^0-9]+)([0-9]*)?(_(.+))?$`. nil for other names
    /// and for types it does not read.
    static func split(_ file: String) -> (type: Substring, sensor: String, property: Substring)? {
        let utf8 = file.utf8
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        let digits = utf8.firstIndex(where: isDigit) ?? utf8.endIndex
        let rest = utf8[digits...].firstIndex(where: { !isDigit($0) }) ?? utf8.endIndex
        let type = Substring(utf8[..<digits])
        guard !type.isEmpty, sensorTypes.contains(type) else { return nil }
        var property = Substring(utf8[rest...])
        if !property.isEmpty {
            guard property.first == "_", property.count > 1 else { return nil }
            property = property.dropFirst()
        }
        let number: UInt32
        if digits == rest {
            number = 0
        } else {
            guard let n = UInt32(Substring(utf8[digits..<rest])) else { return nil }
            number = n
        }
        return (type, "\(type)\(number)", property)
    }

    /// The chip label: `<parent dir>_<device dir>` of the resolved `device` link
    /// (`platform_coretemp_0`), else the `name` file, else the hwmon directory's own name.
    static func chipName(devicePath: String?, nameFile: String?, directory: String) -> String? {
        if let devicePath {
            let parts = devicePath.split(separator: "/")
            let device = parts.last.map { cleanName($0) } ?? ""
            let parent = parts.count >= 2 ? cleanName(parts[parts.count - 2]) : ""
            if !parent.isEmpty && !device.isEmpty { return parent + "_" + device }
            if !device.isEmpty { return device }
        }
        if let nameFile, case let name = cleanName(ProcText.trimmed(nameFile)), !name.isEmpty { return name }
        let own = cleanName(directory.split(separator: "/").last ?? "")
        return own.isEmpty ? nil : own
    }

    /// The samples of one sensor (`values`: property → the attribute's text) into `families`, as
    /// node_exporter's hwmon collector names and scales them.
    static func addSensor(
        chip: String, sensor: String, type: Substring, values: [Substring: String], to families: inout HwmonFamilies
    ) {
        let labels = [chip, sensor]
        if let label = values["label"] {
            families.add("node_hwmon_sensor_label", "Label for given chip and sensor", ["chip", "sensor", "label"],
                         [chip, sensor, Self.withoutNewlines(label)], 1)
        }
        func whole() -> Double? { values[""].flatMap { Double(ProcText.trimmed($0)) } }
        switch type {
        case "beep_enable":
            let on: Double = values[""].map { ProcText.trimmed($0) == "1" } == true ? 1 : 0
            families.add("node_hwmon_beep_enabled", "Hardware beep enabled", labels, on)
            return
        case "vrm":
            if let v = whole() { families.add("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", labels, v) }
            return
        case "update_interval":
            if let v = whole() { families.add("node_hwmon_update_interval_seconds", "Hardware monitor update interval", labels, v * 0.001) }
            return
        default:
            break
        }
        for (element, text) in values.sorted(by: { $0.key < $1.key }) where element != "label" {
            guard let raw = Double(ProcText.trimmed(text)) else { continue }
            var name = "node_hwmon_" + type
            if element == "input" {
                if values[""] != nil { name += "_input" }
            } else if !element.isEmpty {
                name += "_" + cleanName(element)
            }
            let (suffix, help, value, counter) = scaled(type: type, element: element, raw: raw)
            families.add(name + suffix, help, labels, value, counter: counter)
        }
    }

    /// The name suffix, help, scaled value and counter-ness of one attribute (node_exporter's rules).
    static func scaled(type: Substring, element: Substring, raw: Double) -> (String, String, Double, Bool) {
        if element == "fault" || element == "alarm" { return ("", "Hardware sensor \(element) status (\(type))", raw, false) }
        if element == "beep" { return ("_enabled", "Hardware monitor sensor has beeping enabled", raw, false) }
        switch type {
        case "in", "cpu": return ("_volts", "Hardware monitor for voltage (\(element))", raw * 0.001, false)
        case "temp" where element != "type":
            return ("_celsius", "Hardware monitor for temperature (\(element.isEmpty ? "input" : element))", raw * 0.001, false)
        case "curr": return ("_amps", "Hardware monitor for current (\(element))", raw * 0.001, false)
        case "energy": return ("_joule_total", "Hardware monitor for joules used so far (\(element))", raw / 1e6, true)
        case "power" where element == "accuracy": return ("", "Hardware monitor power meter accuracy, as a ratio", raw / 1e6, false)
        case "power" where element == "average_interval" || element == "average_interval_min" || element == "average_interval_max":
            return ("_seconds", "Hardware monitor power usage update interval (\(element))", raw * 0.001, false)
        case "power": return ("_watt", "Hardware monitor for power usage in watts (\(element))", raw / 1e6, false)
        case "humidity":
            let help = "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (\(element))"
            return ("", help, raw / 1e6, false)
        case "fan" where ["input", "min", "max", "target"].contains(element):
            return ("_rpm", "Hardware monitor for fan revolutions per minute (\(element))", raw, false)
        default: return ("", "Hardware monitor \(type) element \(element)", raw, false)
        }
    }
}

/// The hwmon families of one scrape by name (the names come from the files found).
struct HwmonFamilies {
    private(set) var families: [MetricFamily] = []
    private var index: [String: Int] = [:]

    mutating func add(_ name: String, _ help: String, _ labelNames: [String], _ values: [String], _ value: Double, counter: Bool = false) {
        let position: Int
        if let known = index[name] {
            position = known
        } else {
            position = families.count
            index[name] = position
            families.append(MetricFamily(FamilyDescriptor(name: name, type: counter ? .counter : .gauge, help: help, labels: labelNames)))
        }
        families[position].add(values, value)
    }

    mutating func add(_ name: String, _ help: String, _ labels: [String], _ value: Double, counter: Bool = false) {
        add(name, help, ["chip", "sensor"], labels, value, counter: counter)
    }
}
