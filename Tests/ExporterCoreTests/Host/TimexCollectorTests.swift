import Glibc
import Testing
@testable import ExporterCore

@Suite struct TimexCollectorTests {
    static let context = HostCollectorTests.context()

    static func values(_ state: KernelClockState) throws -> [String: Double] {
        let families = try TimexCollector { () throws(SystemError) in state }.collect(context)
        return Dictionary(uniqueKeysWithValues: families.compactMap { f in f.samples.first.map { (f.name, $0.value) } })
    }

    /// This VM's reading (chrony not running: TIME_ERROR, STA_UNSYNC), as node_exporter 1.5 showed it.
    @Test func unsynchronisedClockInMicroseconds() throws {
        let v = try Self.values(KernelClockState(
            clockState: 5, offset: 1500, maxError: 16_000_000, estimatedError: 16_000_000, status: 64, constant: 2, tick: 10000))
        #expect(v["node_timex_sync_status"] == 0)
        #expect(v["node_timex_offset_seconds"] == 0.0015)
        #expect(v["node_timex_maxerror_seconds"] == 16 && v["node_timex_estimated_error_seconds"] == 16)
        #expect(v["node_timex_status"] == 64 && v["node_timex_loop_time_constant"] == 2)
        #expect(v["node_timex_tick_seconds"] == 0.01 && v["node_timex_frequency_adjustment_ratio"] == 1)
        #expect(v.count == 17)
    }

    /// STA_NANO (0x2000) switches offset and PPS jitter to nanoseconds; not maxerror or tick.
    @Test func synchronisedClockInNanosecondsWithPPS() throws {
        let v = try Self.values(KernelClockState(
            clockState: 0, offset: -2_500_000, frequency: -65536 * 12, maxError: 1000, status: 0x2001, tick: 10000,
            ppsFrequency: 65536 * 3, ppsJitter: 400, ppsShift: 4, ppsStability: 65536, jitterCount: 7,
            calibrationCount: 8, errorCount: 9, stabilityCount: 10, taiOffset: 37))
        #expect(v["node_timex_sync_status"] == 1)
        #expect(v["node_timex_offset_seconds"] == -0.0025)
        #expect(v["node_timex_frequency_adjustment_ratio"] == 1 - 12e-6)
        #expect(v["node_timex_maxerror_seconds"] == 0.001 && v["node_timex_tick_seconds"] == 0.01)
        #expect(v["node_timex_pps_frequency_hertz"] == 3e-6 && v["node_timex_pps_stability_hertz"] == 1e-6)
        #expect(v["node_timex_pps_jitter_seconds"] == 4e-7 && v["node_timex_pps_shift_seconds"] == 4)
        #expect(v["node_timex_pps_jitter_total"] == 7 && v["node_timex_pps_calibration_total"] == 8)
        #expect(v["node_timex_pps_error_total"] == 9 && v["node_timex_pps_stability_exceeded_total"] == 10)
        #expect(v["node_timex_tai_offset_seconds"] == 37)
    }

    @Test func refusedCallGivesNothingOtherErrorsFail() throws {
        let refused = TimexCollector { () throws(SystemError) in throw SystemError("adjtimex", code: EPERM) }
        #expect(try refused.collect(Self.context).isEmpty)
        let broken = TimexCollector { () throws(SystemError) in throw SystemError("adjtimex", code: EINVAL) }
        #expect(throws: SystemError.self) { try broken.collect(Self.context) }
    }

    @Test func realClockAnswers() throws {
        let state = try KernelClockState.current()
        #expect(state.clockState >= 0 && state.clockState <= 5)
        #expect(state.tick > 0)
        let v = try Self.values(state)
        #expect(v["node_timex_tick_seconds"] == Double(state.tick) / 1e6)
    }
}
