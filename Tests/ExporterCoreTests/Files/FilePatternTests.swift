import Testing
@testable import ExporterCore

@Suite struct FilePatternTests {
    @Test func nameBeforeEqualsAndComponents() throws {
        let pattern = try FilePattern.parse("pg=/srv/backups/**/postgres_backup_*.sql.gz")
        #expect(pattern.name == "pg")
        #expect(pattern.text == "/srv/backups/**/postgres_backup_*.sql.gz")
        #expect(pattern.root == "/")
        #expect(pattern.components == [.literal("srv"), .literal("backups"), .recursive, .glob("postgres_backup_*.sql.gz")])
    }

    @Test func withoutANameThePatternNamesItself() throws {
        let pattern = try FilePattern.parse("./backups//a=b/*.gz")
        #expect(pattern.name == "./backups//a=b/*.gz", "`./backups//a` is no name: it holds slashes")
        #expect(pattern.root == ".")
        #expect(pattern.components == [.literal("backups"), .literal("a=b"), .glob("*.gz")])
    }

    @Test func repeatedDoubleStarIsOne() throws {
        #expect(try FilePattern.parse("/a/**/**/b").components == [.literal("a"), .recursive, .literal("b")])
    }

    @Test(arguments: ["", "pg=", "/", "/a/b**/c", "/a/[abc/*.gz", "/a/x\\", "n=/srv/**x"])
    func rejectsBadPatterns(_ text: String) {
        #expect(throws: FilePattern.Invalid.self) { try FilePattern.parse(text) }
    }

    @Test(arguments: [("[]]", true), ("[!]x]", true), ("[a-z]*.gz", true), ("\\[x", true), ("[a", false), ("a\\", false)])
    func bracketsMustClose(_ pair: (String, Bool)) {
        #expect(DirectoryScan.isWellFormed(pair.0) == pair.1)
    }
}
