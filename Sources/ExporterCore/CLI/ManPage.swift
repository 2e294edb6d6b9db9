/// `stack_exporter --help-man`: the manual page in roff (man(7) macros), written from the same
/// flag table as `--help`, so the page cannot drift from the binary it ships with. kingpin, which
/// node_exporter and the other Go exporters use, has the same flag; `scripts/install` runs it.
public enum ManPage {
    public static func render(specs: [FlagSpec], summary: String, version: String) -> String {
        var page = header(version: version)
        page += section("NAME") + "stack_exporter \\- " + escape("Prometheus exporter for a small production stack") + "\n"
        page += section("SYNOPSIS") + synopsis
        page += section("DESCRIPTION") + escape(summary.split(separator: "\n").joined(separator: " ")) + "\n"
        page += commands
        page += flagSections(specs)
        page += trailer
        return page
    }

    private static func header(version: String) -> String {
        ".TH STACK_EXPORTER 1 \"\" \"stack_exporter \(escape(version))\" \"User Commands\"\n"
    }

    private static func section(_ name: String) -> String { ".SH \(name)\n" }

    private static let synopsis = """
        .B stack_exporter
        [\\fIflags\\fR]
        .br
        .B stack_exporter check
        [\\fIflags\\fR]
        .br
        .B stack_exporter rules
        [\\fIflags\\fR]

        """

    private static let commands = """
        .SH COMMANDS
        .TP
        .B stack_exporter
        Serve /metrics (and /probe) on \\fB\\-\\-web.listen\\-address\\fR until SIGTERM or SIGINT;
        SIGHUP reloads \\fB\\-\\-web.config.file\\fR.
        .TP
        .B stack_exporter check
        Run every enabled collector once (twice, a second apart, for CPU) and grade each signal against
        the runbook thresholds (\\fB\\-\\-check.config\\fR, \\fB\\-\\-check.set\\fR override them;
        \\fB\\-\\-output=json\\fR for machines). Exit status 0 all within, 1 a warning, 2 a critical
        breach, 3 unknown (a failed collector, a signal without data).
        .TP
        .B stack_exporter rules
        Print the Prometheus alert rules, recording rules or the threshold table generated from the same
        thresholds as \\fBcheck\\fR (\\fBstack_exporter rules \\-\\-help\\fR lists its flags).

        """

    /// One `.SH` per flag group, in the order of `--help`.
    private static func flagSections(_ specs: [FlagSpec]) -> String {
        var groups: [String] = []
        for spec in specs where !groups.contains(spec.group) { groups.append(spec.group) }
        var text = ""
        for group in groups {
            text += section(escape(group.uppercased()) + " FLAGS")
            for spec in specs where spec.group == group {
                text += ".TP\n" + usage(spec) + "\n" + escape(spec.help) + escape(defaultNote(spec)) + "\n"
            }
        }
        return text
    }

    private static func usage(_ spec: FlagSpec) -> String {
        let name = escape(spec.name)
        switch spec.kind {
        case .bool: return "\\fB\\-\\-[no\\-]\(name)\\fR"
        default:
            let value = spec.placeholder.isEmpty ? (spec.kind == .duration ? "duration" : "value") : spec.placeholder
            return "\\fB\\-\\-\(name)\\fR=\\fI\(escape(value))\\fR"
        }
    }

    private static func defaultNote(_ spec: FlagSpec) -> String {
        let repeatable = spec.kind == .list ? " Repeatable." : ""
        if spec.defaultValue.isEmpty { return spec.kind == .bool ? " Default: false.\(repeatable)" : repeatable }
        return " Default: \(spec.defaultValue).\(repeatable)"
    }

    private static let trailer = """
        .SH EXIT STATUS
        0 on a clean stop or when every check is within the runbook; 1 when a check warns; 2 for a bad
        flag or a critical breach; 3 when \\fBcheck\\fR cannot grade a signal.
        .SH ENVIRONMENT
        .TP
        .B DATA_SOURCE_NAME
        PostgreSQL connection string, instead of \\fB\\-\\-postgres.dsn\\fR (keeps a password out of /proc/PID/cmdline).
        .TP
        .B REDIS_PASSWORD\\fR, \\fBREDIS_PASSWORD_FILE
        Password for \\fB\\-\\-redis.addr\\fR servers that do not carry one.
        .SH FILES
        .TP
        .I /etc/default/stack_exporter
        Flags and secrets read by the systemd unit that \\fBscripts/install\\fR sets up.
        .SH SEE ALSO
        .BR prometheus (1),
        .BR node_exporter (1)

        """

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// roff treats a backslash as an escape, and a line starting with `.` or `'` as a request.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case "\n": out += " "
            default:
                // groff reads Latin-1 unless preconv runs first: name anything else by code point.
                for scalar in character.unicodeScalars {
                    if scalar.isASCII { out.unicodeScalars.append(scalar) } else { out += "\\[u\(hex(scalar.value))]" }
                }
            }
        }
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }
}
