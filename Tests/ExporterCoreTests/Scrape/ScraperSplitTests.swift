import Testing
@testable import ExporterCore

/// Inline collectors are shared between the scrape's thread and one helper by their last cost.
@Suite struct ScraperSplitTests {
    @Test func heavyItemsEndUpOnDifferentThreads() {
        // Alternating positions would have put both slow ones (900, 800) on one thread.
        let costs: [UInt64] = [900_000, 10_000, 800_000, 20_000, 30_000, 40_000]
        let (own, shared) = Scraper.split(Array(costs.indices)) { costs[$0] }
        #expect(Set(own + shared) == Set(costs.indices))
        #expect(own.contains(0) != shared.contains(0))
        #expect(own.contains(0) != own.contains(2), "the two heaviest share a thread")
        let ownLoad = own.map { costs[$0] }.reduce(0, +), sharedLoad = shared.map { costs[$0] }.reduce(0, +)
        #expect(max(ownLoad, sharedLoad) - min(ownLoad, sharedLoad) < 200_000)
    }

    @Test func withoutHistoryEverythingStaysOnTheScrapeThread() {
        let (own, shared) = Scraper.split([1, 2, 3, 4]) { _ in 0 }
        #expect(own.count == 4 && shared.isEmpty)
    }
}
