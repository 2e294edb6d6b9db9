/// The backup rows of `check`, from the files collector (docs/files.md).
extension RunbookCheck {
    /// The newest file of each `--files.glob` pattern: its age graded by backup_age; no match and a
    /// newest .gz that is not one complete gzip stream are critical; unreadable paths warn.
    static func backups(_ c: Context) -> [Finding] {
        var findings: [Finding] = []
        for count in c.after.samples("stack_exporter_files_count") {
            let name = count.label("name")
            let ofPattern = { (sample: MetricIndex.Entry) in sample.label("name") == name }
            guard count.value > 0, let newest = c.after.samples("stack_exporter_files_newest_mtime_seconds").first(where: ofPattern)?.value else {
                findings.append(c.finding("backup_missing", .critical, subject: name, value: "no file matches \(count.label("pattern"))"))
                continue
            }
            let hours = (c.now - newest) / 3600
            findings.append(c.graded("backup_age", hours, subject: name, text: "newest \(whole(hours.rounded(.down))) h old"))
            for invalid in c.after.samples("stack_exporter_files_newest_valid") where ofPattern(invalid) && invalid.value == 0 {
                findings.append(c.finding("backup_invalid", .critical, subject: name, value: "not a complete gzip file (\(invalid.label("reason")))"))
            }
            for error in c.after.samples("stack_exporter_files_error") where ofPattern(error) {
                guard c.table["backup_unreadable"]?.grade(error.value) != .ok else { continue }
                findings.append(c.graded("backup_unreadable", error.value, subject: name,
                                         text: "\(whole(error.value)) path(s) unreadable (\(error.label("reason")))"))
            }
        }
        return findings
    }
}
