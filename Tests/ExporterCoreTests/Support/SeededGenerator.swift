import Foundation

/// A reproducible random source for tests that feed random input: the same seed gives the same
/// input on every machine, so a failure can be replayed with `STACK_EXPORTER_TEST_SEED=<seed>`.
/// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", 2014).
struct SeededGenerator: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    /// The seed from `STACK_EXPORTER_TEST_SEED` (decimal or 0x hex), else `defaultSeed`.
    init(defaultSeed: UInt64 = 0x5EED_2026) {
        let text = ProcessInfo.processInfo.environment["STACK_EXPORTER_TEST_SEED"] ?? ""
        let parsed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        self.init(seed: parsed ?? defaultSeed)
    }

    init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
