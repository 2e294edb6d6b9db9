import Testing
@testable import ExporterCore

@Suite struct ManPageTests {
    @Test func escapesWhatRoffWouldInterpret() {
        #expect(ManPage.escape("a\\b") == "a\\eb")
        #expect(ManPage.escape("--web.listen-address") == "\\-\\-web.listen\\-address")
        #expect(ManPage.escape(".hidden request") == "\\&.hidden request")
        #expect(ManPage.escape("'quote") == "\\&'quote")
        #expect(ManPage.escape("5 days · left…") == "5 days \\[u00B7] left\\[u2026]")
        #expect(ManPage.escape("two\nlines") == "two lines")
    }

    @Test func rendersEveryFlagInItsGroupWithItsDefault() {
        let specs = [
            FlagSpec("web.listen-address", kind: .list, default: ":9630", help: "Address to listen on.", group: "Web", placeholder: "<addr>"),
            FlagSpec("collector.cpu", kind: .bool, help: "Enable cpu.", group: "Collectors"),
            FlagSpec("collector.timeout", kind: .duration, default: "10s", help: "Budget.", group: "Web"),
        ]
        let page = ManPage.render(specs: specs, summary: "Summary line one\nand two.", version: "1.2.3")
        #expect(page.hasPrefix(".TH STACK_EXPORTER 1 \"\" \"stack_exporter 1.2.3\""))
        #expect(page.contains(".SH WEB FLAGS\n.TP\n\\fB\\-\\-web.listen\\-address\\fR=\\fI<addr>\\fR\nAddress to listen on. Default: :9630. Repeatable.\n"))
        #expect(page.contains("\\fB\\-\\-collector.timeout\\fR=\\fIduration\\fR\nBudget. Default: 10s.\n"))
        #expect(page.contains(".SH COLLECTORS FLAGS\n.TP\n\\fB\\-\\-[no\\-]collector.cpu\\fR\nEnable cpu. Default: false.\n"))
        // Groups keep the order of --help: Web first, as it came first.
        let web = page.range(of: ".SH WEB FLAGS"), collectors = page.range(of: ".SH COLLECTORS FLAGS")
        #expect(web != nil && collectors != nil && web!.lowerBound < collectors!.lowerBound)
        #expect(page.contains("Summary line one and two."))
    }

    @Test func helpManIsItsOwnAction() throws {
        guard case .manPage = try CommandLineParser.parse(["--help-man"], specs: []) else {
            Issue.record("--help-man not recognised"); return
        }
    }
}
