import Testing
@testable import ExporterCore

@Suite struct SessionBudgetTests {
    @Test func boundedByTheFlagHalfTheFreeSlotsAndTheFloor() {
        // Plenty free: the flag.
        #expect(SessionBudget.otherDatabases(limit: 3, freeSlots: 50, held: 0) == 3)
        // Half of what would be free without the exporter's own other-database sessions.
        #expect(SessionBudget.otherDatabases(limit: 64, freeSlots: 10, held: 2) == 6)
        // Never fewer than `floor` left free: 8 free allows 3, not 4.
        #expect(SessionBudget.otherDatabases(limit: 64, freeSlots: 8, held: 0) == 8 - SessionBudget.floor)
        // Near the limit: none, and the held ones are to be released.
        #expect(SessionBudget.otherDatabases(limit: 3, freeSlots: 2, held: 2) == 0)
        #expect(SessionBudget.otherDatabases(limit: 3, freeSlots: -4, held: 0) == 0)
        // Unknown free slots (the statement failed): the flag alone.
        #expect(SessionBudget.otherDatabases(limit: 3, freeSlots: nil, held: 0) == 3)
        #expect(SessionBudget.otherDatabases(limit: 0, freeSlots: 50, held: 0) == 0)
    }

    @Test func secondSessionOnlyWithSlotsToSpare() {
        #expect(SessionBudget.allowsSecondSession(freeSlots: nil))
        #expect(SessionBudget.allowsSecondSession(freeSlots: SessionBudget.floor))
        #expect(!SessionBudget.allowsSecondSession(freeSlots: SessionBudget.floor - 1))
    }

    @Test func databasesAreVisitedRoundRobin() {
        let names = ["a", "b", "c", "d"]
        #expect(ScrapePlan.rotated(names, from: 0) == names)
        #expect(ScrapePlan.rotated(names, from: 2) == ["c", "d", "a", "b"])
        #expect(ScrapePlan.rotated(names, from: 6) == ["c", "d", "a", "b"])
        #expect(ScrapePlan.rotated([], from: 3) == [])
    }
}
