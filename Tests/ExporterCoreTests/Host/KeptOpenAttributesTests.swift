import Foundation
import Testing
@testable import ExporterCore

/// Attributes read through kept descriptors must never be stale: a rewritten value is seen, a
/// directory replaced under the same path is opened afresh, and a vanished one is closed.
@Suite struct KeptOpenAttributesTests {
    let root = NSTemporaryDirectory() + "kept-open-\(UUID().uuidString)"

    func write(_ device: String, _ name: String, _ value: String) throws {
        try FileManager.default.createDirectory(atPath: "\(root)/\(device)", withIntermediateDirectories: true)
        // In place, as sysfs regenerates a value: same file, new content.
        let handle = try #require(FileHandle(forUpdatingAtPath: "\(root)/\(device)/\(name)") ?? {
            _ = FileManager.default.createFile(atPath: "\(root)/\(device)/\(name)", contents: nil)
            return FileHandle(forUpdatingAtPath: "\(root)/\(device)/\(name)")
        }())
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(value.utf8))
        try handle.close()
    }

    @Test func valuesAreCurrentAndReplacedDirectoriesReopened() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = KeptOpenAttributes(capacity: 3)
        try write("eth0", "mtu", "1500\n")
        try write("eth0", "carrier", "1\n")

        cache.beginScrape()
        #expect(cache.visit("\(root)/eth0"))
        #expect(try cache.read("\(root)/eth0", "mtu").get() == "1500\n")
        #expect(try cache.read("\(root)/eth0", "carrier").get() == "1\n")
        cache.endScrape()
        #expect(cache.openCount == 2)

        try write("eth0", "mtu", "9000\n")
        cache.beginScrape()
        #expect(cache.visit("\(root)/eth0"))
        #expect(try cache.read("\(root)/eth0", "mtu").get() == "9000\n")
        cache.endScrape()

        // The device goes away and another appears under the same name.
        try FileManager.default.removeItem(atPath: "\(root)/eth0")
        try write("eth0", "mtu", "1280\n")
        cache.beginScrape()
        #expect(cache.visit("\(root)/eth0"))
        #expect(try cache.read("\(root)/eth0", "mtu").get() == "1280\n")
        #expect(throws: FileReader.ReadError.self) { try cache.read("\(root)/eth0", "carrier").get() }
        cache.endScrape()
        #expect(cache.openCount == 1)

        // Gone, then not visited: its descriptors are closed.
        try FileManager.default.removeItem(atPath: "\(root)/eth0")
        cache.beginScrape()
        #expect(!cache.visit("\(root)/eth0"))
        cache.endScrape()
        #expect(cache.openCount == 0)
    }

    @Test func capacityBoundsTheKeptDescriptors() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = KeptOpenAttributes(capacity: 2)
        for index in 0..<4 { try write("dev\(index)", "mtu", "\(index)\n") }
        cache.beginScrape()
        for index in 0..<4 {
            #expect(cache.visit("\(root)/dev\(index)"))
            #expect(try cache.read("\(root)/dev\(index)", "mtu").get() == "\(index)\n")
        }
        cache.endScrape()
        #expect(cache.openCount == 2)
    }
}
