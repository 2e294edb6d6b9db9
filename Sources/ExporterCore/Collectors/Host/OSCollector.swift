enum OSMetrics {
    static let infoKeys = [
        ("build_id", "BUILD_ID"), ("id", "ID"), ("id_like", "ID_LIKE"), ("image_id", "IMAGE_ID"),
        ("image_version", "IMAGE_VERSION"), ("name", "NAME"), ("pretty_name", "PRETTY_NAME"), ("variant", "VARIANT"),
        ("variant_id", "VARIANT_ID"), ("version", "VERSION"), ("version_codename", "VERSION_CODENAME"),
        ("version_id", "VERSION_ID"),
    ]
    static let info = FamilyDescriptor(
        name: "node_os_info", type: .gauge,
        help: "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
        labels: infoKeys.map(\.0))
    static let version = FamilyDescriptor(
        name: "node_os_version", type: .gauge,
        help: "Metric containing the major.minor part of the OS version.", labels: ["id", "id_like", "name"])
}

/// `node_os_info` and `node_os_version` from os-release(5) under the root file system. The file is
/// read every scrape (an upgrade changes it) but parsed again only when its text changed.
struct OSCollector: ProcFSCollector {
    let rootfs: ProcFS
    private let last = LastResult<String, [MetricFamily]>()

    init(rootfs: ProcFS) { self.rootfs = rootfs }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let text: String
        do {
            text = try rootfs.read("etc/os-release")
        } catch {
            text = try rootfs.read("usr/lib/os-release")
        }
        return last.value(for: text) { Self.families(parseOSRelease(text)) }
    }

    private static func families(_ release: [String: String]) -> [MetricFamily] {
        var info = MetricFamily(OSMetrics.info)
        info.add(OSMetrics.infoKeys.map { release[$0.1] ?? "" }, 1)
        var families = [info]
        if let number = osVersionNumber(release["VERSION_ID"] ?? "") {
            var version = MetricFamily(OSMetrics.version)
            version.add([release["ID"] ?? "", release["ID_LIKE"] ?? "", release["NAME"] ?? ""], number)
            families.append(version)
        }
        return families
    }
}
