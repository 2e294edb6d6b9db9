import Glibc
import Synchronization
import Testing
@testable import ExporterCore

/// Where a scrape runs its collectors: inline ones on the scrape's own thread, one after another
/// (no hand-off), those that may block on a thread of their own.
@Suite struct ScraperThreadTests {
    final class ThreadRecorder: Collector {
        let mayBlock: Bool
        let threads = Mutex<[pthread_t]>([])
        init(mayBlock: Bool) { self.mayBlock = mayBlock }
        func collect(_ context: CollectContext) throws -> [MetricFamily] {
            threads.withLock { $0.append(pthread_self()) }
            return []
        }
    }

    @Test func inlineCollectorsRunOnTheScrapeThreadAndBlockingOnesElsewhere() {
        let inline = (0..<6).map { _ in ThreadRecorder(mayBlock: false) }
        let blocking = ThreadRecorder(mayBlock: true)
        let collectors = inline.enumerated().map { (name: "inline\($0.offset)", collector: $0.element as any Collector) }
            + [(name: "blocking", collector: blocking as any Collector)]
        let scraper = Scraper(collectors: collectors, logger: .disabled, exposition: ExpositionStats())
        for _ in 0..<3 {
            let families = scraper.scrape(.all, deadline: MonotonicTime.now().adding(seconds: 10))
            let success = families.first { $0.name == "stack_exporter_scrape_collector_success" }
            #expect(success?.samples.count == 7)
        }
        let me = pthread_self()
        for recorder in inline {
            let threads = recorder.threads.withLock { $0 }
            #expect(threads.count == 3)
            #expect(threads.allSatisfy { pthread_equal($0, me) != 0 })
        }
        let elsewhere = blocking.threads.withLock { $0 }
        #expect(elsewhere.count == 3)
        #expect(elsewhere.allSatisfy { pthread_equal($0, me) == 0 })
    }
}
