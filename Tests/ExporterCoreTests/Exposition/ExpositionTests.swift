import Testing
@testable import ExporterCore

/// A family set that exercises every rule of both writers.
private func sampleFamilies() -> [MetricFamily] {
    let escaping = FamilyDescriptor(name: "test_escaping", type: .gauge,
                                    help: "Help with \\ backslash, \"quotes\" and a\nnewline.", labels: ["path"])
    var escaped = MetricFamily(escaping)
    escaped.add(["C:\\dir \"quoted\"\nnext"], 1)
    escaped.add(["plain"], 2)
    let specials = FamilyDescriptor(name: "test_special_values", type: .gauge, help: "Special floats.", labels: ["kind"])
    var special = MetricFamily(specials)
    special.add(["nan"], .nan)
    special.add(["pos"], .infinity)
    special.add(["neg"], -.infinity)
    special.add(["small"], 1.5e-7)
    special.add(["large"], 1.2e20)
    special.add(["integer"], 25_000_000_000)
    special.add(["negative"], -3)
    special.add(["fraction"], 0.25)
    let seconds = FamilyDescriptor(name: "test_cpu_seconds_total", type: .counter, help: "A counter with a unit.", unit: "seconds", labels: ["mode"])
    var counter = MetricFamily(seconds)
    counter.add(["user"], 12.5)
    counter.add(["idle"], 300)
    let legacy = FamilyDescriptor(name: "test_xact_commit", type: .counter, help: "A counter without _total, as postgres_exporter names it.", labels: ["datname"])
    var legacyCounter = MetricFamily(legacy)
    legacyCounter.add(["postgres"], 42)
    let untyped = MetricFamily(FamilyDescriptor(name: "test_untyped", type: .untyped, help: ""), value: 7)
    let histogram = MetricFamily(
        FamilyDescriptor(name: "test_latency_seconds", type: .histogram, help: "A histogram.", unit: "seconds"),
        samples: [
            Sample(labels: [Label("le", "0.1")], value: 1, suffix: "_bucket"),
            Sample(labels: [Label("le", "1")], value: 3, suffix: "_bucket"),
            Sample(labels: [Label("le", "+Inf")], value: 4, suffix: "_bucket"),
            Sample(value: 2.5, suffix: "_sum"),
            Sample(value: 4, suffix: "_count"),
        ])
    // Deliberately out of order: the writers sort families by name.
    return [special, histogram, untyped, legacyCounter, counter, escaped]
}

@Suite struct ExpositionGoldenTests {
    @Test func textFormatMatchesGolden() throws {
        let families = Normalizer.normalize(sampleFamilies(), stats: ExpositionStats())
        try Golden.check(TextFormat.render(text: families), against: "exposition.prom")
    }

    @Test func openMetricsMatchesGolden() throws {
        let families = Normalizer.normalize(sampleFamilies(), stats: ExpositionStats())
        try Golden.check(String(decoding: OpenMetricsFormat.render(families), as: UTF8.self), against: "exposition.om.txt")
    }

    @Test func openMetricsEndsWithEOF() {
        let text = String(decoding: OpenMetricsFormat.render([]), as: UTF8.self)
        #expect(text == "# EOF\n")
    }

    @Test func textFormatEscapesLabelValues() {
        let text = TextFormat.render(text: Normalizer.normalize(sampleFamilies(), stats: ExpositionStats()))
        #expect(text.contains(#"test_escaping{path="C:\\dir \"quoted\"\nnext"} 1"#))
        #expect(text.contains(#"# HELP test_escaping Help with \\ backslash, "quotes" and a\nnewline."#))
        #expect(text.contains("test_special_values{kind=\"nan\"} NaN"))
        #expect(text.contains("test_special_values{kind=\"pos\"} +Inf"))
        #expect(text.contains("test_special_values{kind=\"neg\"} -Inf"))
        #expect(text.contains("test_special_values{kind=\"integer\"} 25000000000"))
    }

    @Test func integersAreWrittenExactlyAtEveryLength() {
        var values: [Double] = [0, -1, 9.007199254740991e15, -9.007199254740991e15]
        var power = 1.0
        for _ in 0..<16 {
            values += [power - 1, power, power + 1, -power]
            power *= 10
        }
        let descriptor = FamilyDescriptor(name: "test_integers", type: .gauge, help: "", labels: ["i"])
        var family = MetricFamily(descriptor)
        for (i, value) in values.enumerated() { family.add([String(i)], value) }
        let text = TextFormat.render(text: [family])
        for (i, value) in values.enumerated() {
            #expect(text.contains("test_integers{i=\"\(i)\"} \(Int64(value))\n"), "\(value)")
        }
    }

    @Test func bufferGrowsPastItsInitialCapacity() {
        let descriptor = FamilyDescriptor(name: "test_growth", type: .gauge, help: "", labels: ["value"])
        var family = MetricFamily(descriptor)
        let long = String(repeating: "x", count: 5000)
        for i in 0..<50 { family.add([long + String(i)], Double(i)) }
        let bytes = TextFormat.render([family], capacity: 1)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 51)
        #expect(lines.last == "test_growth{value=\"\(long)49\"} 49")
    }

    @Test func aSharedLabelArrayIsWrittenAlikeInEveryFamily() {
        let shared = [Label("a", "x\"y"), Label("b", "line\nbreak"), Label("c", String(repeating: "v", count: 300))]
        let families = (0..<5).map { i in
            MetricFamily(FamilyDescriptor(name: "test_shared_\(i)", type: .gauge, help: ""), samples: [
                Sample(labels: shared, value: Double(i)), Sample(labels: [Label("a", "z"), Label("b", "z"), Label("c", "\(i)")], value: 1),
            ])
        }
        let text = String(decoding: TextFormat.render(families, capacity: 1), as: UTF8.self)
        let pairs = #"{a="x\"y",b="line\nbreak",c=""# + String(repeating: "v", count: 300) + #""}"#
        for i in 0..<5 {
            #expect(text.contains("test_shared_\(i)\(pairs) \(i)\n"))
            #expect(text.contains("test_shared_\(i){a=\"z\",b=\"z\",c=\"\(i)\"} 1\n"))
        }
    }

    @Test func descriptorBuiltLabelsAreTrustedOnlyWhileUnchanged() {
        let canonical = FamilyDescriptor(name: "test_trusted", type: .gauge, help: "", labels: ["a", "b"])
        let unsorted = FamilyDescriptor(name: "test_unsorted", type: .gauge, help: "", labels: ["b", "a"])
        let invalid = FamilyDescriptor(name: "test_invalid", type: .gauge, help: "", labels: ["a", "__b"])
        #expect(canonical.labelsAreCanonical && !unsorted.labelsAreCanonical && !invalid.labelsAreCanonical)
        var trusted = MetricFamily(canonical)
        trusted.add(["2", "x"], 1)
        trusted.add(["1", "y"], 2)
        var edited = Sample(canonical, ["3", "z"], value: 3)
        #expect(edited.labelsAreCanonical)
        edited.labels = [Label("b", "z"), Label("a", "3")]  // reordered by hand: checked again
        #expect(!edited.labelsAreCanonical)
        trusted.samples.append(edited)
        var sorted = MetricFamily(unsorted)
        sorted.add(["x", "1"], 1)
        var dropped = MetricFamily(invalid)
        dropped.add(["1", "x"], 1)
        let stats = ExpositionStats()
        let text = TextFormat.render(text: Normalizer.normalize([trusted, sorted, dropped], stats: stats))
        #expect(text.contains("test_trusted{a=\"1\",b=\"y\"} 2\ntest_trusted{a=\"2\",b=\"x\"} 1\ntest_trusted{a=\"3\",b=\"z\"} 3\n"))
        #expect(text.contains("test_unsorted{a=\"1\",b=\"x\"} 1"))
        #expect(!text.contains("test_invalid{"))
        #expect(stats.invalidNamesDropped == 1)
    }

    @Test func openMetricsKeepsCounterNamesWithoutTotal() {
        let text = String(decoding: OpenMetricsFormat.render(Normalizer.normalize(sampleFamilies(), stats: ExpositionStats())), as: UTF8.self)
        #expect(text.contains("# TYPE test_xact_commit unknown\ntest_xact_commit{datname=\"postgres\"} 42"))
        #expect(text.contains("# TYPE test_cpu_seconds counter\n# UNIT test_cpu_seconds seconds\n"))
        #expect(text.contains(#"# HELP test_escaping Help with \\ backslash, \"quotes\" and a\nnewline."#))
    }
}

@Suite struct NormalizerTests {
    @Test func dropsAndCountsDuplicateSeries() {
        let stats = ExpositionStats()
        let families = [gauge("dup", 1, labels: [Label("a", "x")]), gauge("dup", 2, labels: [Label("a", "x")]), gauge("dup", 3, labels: [Label("a", "y")])]
        let normalized = Normalizer.normalize(families, stats: stats)
        #expect(normalized.count == 1)
        #expect(normalized[0].samples.map(\.value) == [1, 3])
        #expect(stats.duplicateSeries == 1)
    }

    @Test func treatsLabelOrderAsTheSameSeries() {
        let stats = ExpositionStats()
        let families = [gauge("dup", 1, labels: [Label("a", "x"), Label("b", "y")]), gauge("dup", 2, labels: [Label("b", "y"), Label("a", "x")])]
        #expect(Normalizer.normalize(families, stats: stats)[0].samples.count == 1)
        #expect(stats.duplicateSeries == 1)
    }

    @Test func dropsFamiliesWhoseTypeConflicts() {
        let stats = ExpositionStats()
        let counter = MetricFamily(FamilyDescriptor(name: "clash", type: .counter, help: "c"), value: 1)
        let normalized = Normalizer.normalize([gauge("clash", 5), counter], stats: stats)
        #expect(normalized.count == 1 && normalized[0].descriptor.type == .gauge)
        #expect(stats.duplicateSeries == 1)
    }

    /// The plan cache reuses the last merge and order only for the same names and types: scrapes
    /// with other families, or the same again, give exactly what an uncached run gives, and the
    /// drops are counted on every scrape.
    @Test func cachedPlanGivesTheUncachedResult() {
        let cache = Normalizer.PlanCache()
        let counter = MetricFamily(FamilyDescriptor(name: "clash", type: .counter, help: "c"), value: 1)
        let scrapes: [[MetricFamily]] = [
            [gauge("b", 1), gauge("a", 2), gauge("b", 3, labels: [Label("x", "1")]), gauge("clash", 5), counter, gauge("bad-name", 1)],
            [gauge("b", 1), gauge("a", 2), gauge("b", 3, labels: [Label("x", "1")]), gauge("clash", 5), counter, gauge("bad-name", 1)],
            [gauge("c", 1), gauge("a", 2)],
            [gauge("a", 2), gauge("c", 1)],
            [gauge("b", 1), gauge("a", 2), gauge("b", 3, labels: [Label("x", "1")]), counter, gauge("clash", 5), gauge("bad-name", 1)],
        ]
        for families in scrapes {
            let cachedStats = ExpositionStats(), plainStats = ExpositionStats()
            let cached = Normalizer.normalize(families, stats: cachedStats, cache: cache)
            let plain = Normalizer.normalize(families, stats: plainStats)
            #expect(cached == plain)
            #expect(cached.map(\.name) == cached.map(\.name).sorted())
            #expect(cachedStats.duplicateSeries == plainStats.duplicateSeries)
            #expect(cachedStats.invalidNamesDropped == plainStats.invalidNamesDropped)
        }
        let last = Normalizer.normalize(scrapes[4], stats: ExpositionStats(), cache: cache)
        #expect(last.first { $0.name == "clash" }?.descriptor.type == .counter)
    }

    /// One label array shared by samples of several families (as a PostgreSQL row's) is checked
    /// once but applied to each: sorted everywhere, and when invalid, dropped and counted everywhere.
    @Test func sharedLabelArraysAreCanonicalInEveryFamily() {
        let unsorted = [Label("z", "1"), Label("a", "2")]
        let invalid = [Label("ok", "1"), Label("__reserved", "2")]
        let stats = ExpositionStats()
        let families = ["m1", "m2", "m3"].map { name in
            MetricFamily(FamilyDescriptor(name: name, type: .gauge, help: "h"),
                         samples: [Sample(labels: unsorted, value: 1), Sample(labels: invalid, value: 2)])
        }
        let normalized = Normalizer.normalize(families, stats: stats)
        #expect(normalized.count == 3)
        for family in normalized {
            #expect(family.samples.count == 1)
            #expect(family.samples.first?.labels.map(\.name) == ["a", "z"])
        }
        #expect(stats.invalidNamesDropped == 3)
    }

    @Test(arguments: ["1abc", "with-dash", "", "spaß"])
    func dropsInvalidMetricNames(_ name: String) {
        let stats = ExpositionStats()
        #expect(Normalizer.normalize([gauge(name, 1)], stats: stats).isEmpty)
        #expect(stats.invalidNamesDropped == 1)
    }

    @Test(arguments: ["__reserved", "1x", "a-b", ""])
    func dropsSamplesWithInvalidLabelNames(_ label: String) {
        let stats = ExpositionStats()
        let family = MetricFamily(FamilyDescriptor(name: "ok", type: .gauge, help: "h"),
                                  samples: [Sample(labels: [Label(label, "v")], value: 1), Sample(value: 2)])
        let normalized = Normalizer.normalize([family], stats: stats)
        #expect(normalized[0].samples.map(\.value) == [2])
        #expect(stats.invalidNamesDropped == 1)
    }

    @Test func dropsSamplesWithRepeatedLabelNames() {
        let stats = ExpositionStats()
        let family = MetricFamily(FamilyDescriptor(name: "ok", type: .gauge, help: "h"),
                                  samples: [Sample(labels: [Label("a", "1"), Label("a", "2")], value: 1)])
        #expect(Normalizer.normalize([family], stats: stats).isEmpty)
    }

    @Test func sortsFamiliesAndSamples() {
        let normalized = Normalizer.normalize(
            [gauge("b", 1, labels: [Label("x", "2")]), gauge("a", 1), gauge("b", 1, labels: [Label("x", "1")])], stats: ExpositionStats())
        #expect(normalized.map(\.name) == ["a", "b"])
        #expect(normalized[1].samples.map { $0.labels[0].value } == ["1", "2"])
    }

    @Test func repairsAndCountsInvalidUTF8() {
        let stats = ExpositionStats()
        let raw: [UInt8] = Array("/mnt/".utf8) + [0xFF, 0xFE] + Array("disk".utf8)
        let value = LabelText.decode(raw, repairs: stats)
        #expect(value == "/mnt/\u{FFFD}\u{FFFD}disk")
        #expect(stats.repairedLabelValues == 1)
        #expect(LabelText.decode(Array("/mnt/ok".utf8), repairs: stats) == "/mnt/ok")
        #expect(stats.repairedLabelValues == 1)
        let text = TextFormat.render(text: [gauge("m", 1, labels: [Label("mountpoint", value)])])
        #expect(text.utf8.allSatisfy { $0 != 0xFF })
    }

    @Test(arguments: [("container.label/app", "container_label_app"), ("9lives", "_9lives"), ("ok_name", "ok_name"), ("", "_")])
    func sanitizesOutsideNames(_ pair: (String, String)) {
        let sanitized = MetricNames.sanitize(pair.0)
        #expect(sanitized == pair.1)
        #expect(MetricNames.isValidLabelName(sanitized))
    }
}
