import Foundation
import Glibc
import Synchronization
import Testing
@testable import ExporterCore
import TestSupport

/// Issue #12: a FIFO where the real binary expects a file (procfs `loadavg`, the root file
/// system's `etc/os-release`, a udev record, a certificate) made open(2) wait for a writer: the
/// scrape, `/-/healthy` and SIGTERM all hung. Now such a file fails its collector (or its
/// certificate) at once, and everything else keeps answering.
// The limit is generous: on a loaded 2-core machine a test may wait a minute for a thread.
@Suite(.serialized, .timeLimit(.minutes(10))) struct NonRegularFileTests {
    /// A copy of the host fixtures in a scratch directory the test may put FIFOs into.
    final class HostTree {
        let root = NSTemporaryDirectory() + "non-regular-\(getpid())-\(UUID().uuidString)"
        var proc: String { root + "/proc" }
        var rootfs: String { root + "/rootfs" }

        init() throws {
            try FileManager.default.copyItem(atPath: Package.root + "/Tests/ExporterCoreTests/Fixtures/host", toPath: root)
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// Replaces `path` (relative to the tree) with a FIFO nobody writes to.
        func fifo(_ relative: String) throws {
            let path = root + "/" + relative
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: path)
            guard mkfifo(path, 0o600) == 0 else { throw TestFailure("mkfifo \(path): errno \(errno)") }
        }
    }

    /// One scrape, its body and how long it took; the request itself waits at most 15 s.
    static func scrape(_ exporter: ExporterProcess, _ path: String = "/metrics") throws -> (status: Int, body: String, seconds: Double) {
        let started = Date()
        let response = try exporter.get(path)
        return (response.status, String(decoding: response.body, as: UTF8.self), Date().timeIntervalSince(started))
    }

    static func success(_ body: String, _ collector: String) -> Double? {
        sampleValue(body, "stack_exporter_scrape_collector_success", ["collector": collector])
    }

    @Test func fifoAsProcfsLoadavgFailsOnlyThatCollector() throws {
        let tree = try HostTree()
        try tree.fifo("proc/loadavg")
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.loadavg", "--collector.meminfo", "--path.procfs=\(tree.proc)",
        ])
        for _ in 0..<2 {
            let (status, body, seconds) = try Self.scrape(exporter)
            #expect(status == 200)
            #expect(seconds < 3, "scrape took \(seconds) s")
            #expect(Self.success(body, "loadavg") == 0)
            #expect(Self.success(body, "meminfo") == 1)
            #expect(sampleValue(body, "node_load1") == nil)
        }
        let healthy = try Self.scrape(exporter, "/-/healthy")
        #expect(healthy.status == 200 && healthy.seconds < 3)
        #expect(exporter.log.contains("not a regular file (fifo)"), "\(exporter.log)")
        let ended = exporter.terminate(timeout: 5)
        #expect(ended != nil, "SIGTERM did not end the exporter within 5 s")
    }

    @Test func fifoAsOSReleaseAndAsUdevRecordFailOnlyWhatTheyFeed() throws {
        let tree = try HostTree()
        try tree.fifo("rootfs/etc/os-release")
        try tree.fifo("rootfs/usr/lib/os-release")
        try tree.fifo("udev/b254:0")  // vda in the fixture's diskstats
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.os", "--collector.diskstats", "--collector.loadavg",
            "--path.procfs=\(tree.proc)", "--path.rootfs=\(tree.rootfs)", "--path.udev.data=\(tree.root)/udev",
        ])
        let (status, body, seconds) = try Self.scrape(exporter)
        #expect(status == 200)
        #expect(seconds < 3, "scrape took \(seconds) s")
        #expect(Self.success(body, "os") == 0)
        #expect(Self.success(body, "loadavg") == 1)
        // A udev record that cannot be read leaves the disk without udev properties, as a missing one.
        #expect(Self.success(body, "diskstats") == 1)
        #expect(sampleValue(body, "node_disk_reads_completed_total", ["device": "vda"]) == 68733)
        #expect(exporter.log.contains("not a regular file (fifo)"), "\(exporter.log)")
        #expect(try Self.scrape(exporter, "/-/healthy").status == 200)
        #expect(exporter.terminate(timeout: 5) != nil, "SIGTERM did not end the exporter within 5 s")
    }

    /// A FIFO matched by `--tls.file`, and eight paths that flip between a certificate and a FIFO
    /// by rename while scrapes run, so that some open(2) falls between the collector's stat and
    /// its open (that race is timing: before the fix, most runs hung within a second).
    @Test func fifoAsCertificateFailsThatFileOnly() throws {
        let certs = try CertFactory()
        let good = try certs.selfSigned("good", cn: "good.example")
        try CertFactory.run(["mkfifo", certs.path("fifo.pem"), certs.path("flip.fifo")])
        let flipCert = try certs.selfSigned("flip", cn: "flip.example")
        try CertFactory.run(["mv", flipCert, certs.path("flip.cert")])
        let flipping = (0..<8).map { certs.path("flip\($0).pem") }
        final class Swapper: Sendable {
            let stop = Atomic<Bool>(false)
            let swaps = Atomic<Int>(0)
        }
        let swapper = Swapper()
        let fifo = certs.path("flip.fifo"), cert = certs.path("flip.cert")
        Thread.detachNewThread {
            // rename(2) is atomic: each path is always one or the other, never missing.
            while !swapper.stop.load(ordering: .relaxed) {
                for (index, path) in flipping.enumerated() {
                    let temporary = path + ".tmp"
                    _ = link(swapper.swaps.load(ordering: .relaxed) % 2 == index % 2 ? fifo : cert, temporary)
                    _ = rename(temporary, path)
                }
                swapper.swaps.add(1, ordering: .relaxed)
            }
        }
        defer { swapper.stop.store(true, ordering: .relaxed) }
        let exporter = try ExporterProcess([
            "--collector.disable-defaults", "--collector.tls", "--tls.file=\(certs.dir)/*.pem", "--collector.timeout=2s",
        ])
        let until = Date().addingTimeInterval(3)
        var scrapes = 0
        while Date() < until {
            let (status, body, seconds) = try Self.scrape(exporter)
            scrapes += 1
            #expect(status == 200)
            let fine = seconds < 1.5 && Self.success(body, "tls") == 1
                && sampleValue(body, "x509_cert_not_after", ["filepath": good, "subject_CN": "good.example"]) != nil
                && sampleValue(body, "x509_cert_error", ["filepath": certs.path("fifo.pem"), "reason": "not_regular_file"]) == 1
            #expect(fine, "scrape \(scrapes) took \(seconds) s: \(body.prefix(3000))")
            if !fine { break }
        }
        swapper.stop.store(true, ordering: .relaxed)
        #expect(scrapes > 10 && swapper.swaps.load(ordering: .relaxed) > 10)
        #expect(try Self.scrape(exporter, "/-/healthy").status == 200)
        #expect(exporter.terminate(timeout: 5) != nil, "SIGTERM did not end the exporter within 5 s")
    }
}
