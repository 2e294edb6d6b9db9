import Testing
@testable import ExporterCore

@Suite struct HwmonCollectorTests {
    @Test func attributeNames() {
        #expect(Hwmon.split("temp1_crit_alarm").map { "\($0.type) \($0.sensor) \($0.property)" } == "temp temp1 crit_alarm")
        #expect(Hwmon.split("beep_enable").map { "\($0.type) \($0.sensor) \($0.property)" } == "beep_enable beep_enable0 ")
        #expect(Hwmon.split("pwm2").map { "\($0.sensor) [\($0.property)]" } == "pwm2 []")
        for name in ["name", "uevent", "device", "temp1_", "temp1a", "temp_", "subsystem", "fan99999999999_input"] {
            #expect(Hwmon.split(name) == nil, "\(name)")
        }
    }

    @Test func chipNames() {
        #expect(Hwmon.chipName(devicePath: "/sys/devices/platform/coretemp.0", nameFile: "coretemp\n", directory: "hwmon0") == "platform_coretemp_0")
        #expect(Hwmon.chipName(devicePath: nil, nameFile: "nct6779\n", directory: "hwmon3") == "nct6779")
        #expect(Hwmon.chipName(devicePath: nil, nameFile: "\n", directory: "hwmon4") == "hwmon4")
        #expect(Hwmon.cleanName("__Physical id 0!") == "physical_id_0")
    }

    /// The output over node_exporter v1.5.0's sysfs fixture is what its e2e-output.txt holds
    /// for node_hwmon_* (checked by diffing the two; a few of its lines here).
    @Test func nodeExporterFixture() throws {
        let families = try HwmonCollector(sys: ProcFS(root: Fixtures.path("host/sys"))).collect(HostCollectorTests.context())
        func value(_ name: String, _ labels: [String]) -> Double? {
            families.first { $0.name == name }?.samples.first { $0.labels.map(\.value) == labels }?.value
        }
        #expect(value("node_hwmon_temp_celsius", ["platform_coretemp_0", "temp1"]) == 55)
        #expect(value("node_hwmon_temp_crit_alarm_celsius", ["platform_coretemp_0", "temp1"]) == 0)
        #expect(value("node_hwmon_temp_max_celsius", ["platform_coretemp_0", "temp1"]) == 84)
        #expect(value("node_hwmon_fan_rpm", ["platform_applesmc_768", "fan1"]) == 0)
        #expect(value("node_hwmon_fan_min_rpm", ["platform_applesmc_768", "fan1"]) == 2160)
        #expect(value("node_hwmon_in_volts", ["nct6779", "in0"]) == 0.792)
        #expect(value("node_hwmon_chip_names", ["platform_coretemp_0", "coretemp"]) == 1)
        #expect(value("node_hwmon_sensor_label", ["platform_applesmc_768", "fan1", "Left side  "]) == 1)
        #expect(value("node_hwmon_temp_celsius", ["hwmon4", "temp1"]) == 55)
        #expect(families.first { $0.name == "node_hwmon_chip_names" }?.samples.count == 3)
        let none = ProcFS(root: Fixtures.path("host/does-not-exist"))
        #expect(try HwmonCollector(sys: none).collect(HostCollectorTests.context()).isEmpty)
    }
}
