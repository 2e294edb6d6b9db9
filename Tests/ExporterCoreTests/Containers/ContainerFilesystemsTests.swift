import Testing
@testable import ExporterCore

@Suite struct ContainerFilesystemsTests {
    @Test func layersOfOneEngineShareTheirStorageDirectory() {
        #expect(ContainerFilesystems.storageDirectory("/var/lib/containers/storage/overlay/e3f7/diff") == "/var/lib/containers/storage/overlay")
        #expect(ContainerFilesystems.storageDirectory("/var/lib/docker/overlay2/abc/diff/") == "/var/lib/docker/overlay2")
        // Not overlay's shape: the directory itself.
        #expect(ContainerFilesystems.storageDirectory("/srv/vfs/dir/abc") == "/srv/vfs/dir/abc")
        #expect(ContainerFilesystems.storageDirectory("/diff") == "/diff")
    }

    @Test func theLongestMountPointThatIsAnAncestorWins() {
        #expect(ContainerFilesystems.contains(Array("/".utf8), "/var/lib"))
        #expect(ContainerFilesystems.contains(Array("/var".utf8), "/var/lib"))
        #expect(ContainerFilesystems.contains(Array("/var/lib".utf8), "/var/lib"))
        #expect(!ContainerFilesystems.contains(Array("/va".utf8), "/var/lib"))
        #expect(!ContainerFilesystems.contains(Array("/var/lib/docker".utf8), "/var/lib"))
    }

    @Test func sizesAreDueNeverMeasuredFirstThenOldestAndAtMostPerScrape() {
        let fs = ContainerFilesystems(interval: 300, perScrape: 2, paths: HostPaths())
        let start = MonotonicTime(nanoseconds: 1_000_000_000_000)
        #expect(fs.due(["a", "b", "c"], now: start).count == 2)
        fs.record("a", bytes: 10, now: start)
        fs.record("b", bytes: 10, now: start.adding(seconds: 100))
        // c was never measured: it comes first; a and b are young.
        #expect(fs.due(["a", "b", "c"], now: start.adding(seconds: 200)) == ["c"])
        fs.record("c", bytes: 10, now: start.adding(seconds: 200))
        // Past the interval: a (oldest) before b; c is still young.
        #expect(fs.due(["a", "b", "c"], now: start.adding(seconds: 401)) == ["a", "b"])
        #expect(fs.due(["a", "b", "c"], now: start.adding(seconds: 350)) == ["a"])
        fs.keep(["b"])
        #expect(fs.due(["a", "b"], now: start.adding(seconds: 101)).contains("a"), "a forgotten: never measured again")
        #expect(ContainerFilesystems(interval: 300, perScrape: 0, paths: HostPaths()).due(["a"], now: start).isEmpty)
    }

    @Test func inspectCarriesTheLayerDirectoryAndItsSizeWhenAskedFor() throws {
        let json = try JSONParser.parse(Array("""
            {"State": {"Status": "running", "Pid": 42}, "SizeRw": 1048588,
             "GraphDriver": {"Name": "overlay", "Data": {"UpperDir": "/var/lib/containers/storage/overlay/e3/diff"}}}
            """.utf8))
        let details = try ContainerDetails(json: json)
        #expect(details.upperDir == "/var/lib/containers/storage/overlay/e3/diff")
        #expect(details.writableLayerBytes == 1_048_588)
        let bad = try ContainerDetails(json: JSONParser.parse(Array("""
            {"State": {}, "SizeRw": -5, "GraphDriver": {"Data": {"UpperDir": "relative/diff"}}}
            """.utf8)))
        #expect(bad.upperDir == nil && bad.writableLayerBytes == nil, "out-of-range size and a relative path are ignored")
    }
}
