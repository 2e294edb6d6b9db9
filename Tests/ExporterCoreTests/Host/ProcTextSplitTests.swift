import Testing
@testable import ExporterCore

/// ProcText's hand-written splitting must behave exactly like the standard library's split.
@Suite struct ProcTextSplitTests {
    @Test(arguments: ["", "\n", "a", "a\n", "\na", "a\nb", "a\n\nb\n", "\n\n", "x y\tz\n  w  \n", "é\nü\n"])
    func linesMatchTheStandardLibrary(_ text: String) {
        let expectAll = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expectNonEmpty = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(ProcText.allLines(text).map(String.init) == expectAll)
        #expect(ProcText.lines(text).map(String.init) == expectNonEmpty)
    }

    @Test(arguments: ["", " ", "a", " a ", "a b", "a  b\tc", "\ta\t\tb ", "Tcp: 1 -1 2"])
    func fieldsMatchTheStandardLibrary(_ line: String) {
        let expected = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        #expect(ProcText.fields(Substring(line)).map(String.init) == expected)
    }
}
