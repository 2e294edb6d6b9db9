enum TimexMetrics {
    static let offset = gauge("offset_seconds", "Time offset in between local system and reference clock.", unit: "seconds")
    static let frequency = gauge("frequency_adjustment_ratio", "Local clock frequency adjustment.", unit: "ratio")
    static let maxError = gauge("maxerror_seconds", "Maximum error in seconds.", unit: "seconds")
    static let estimatedError = gauge("estimated_error_seconds", "Estimated error in seconds.", unit: "seconds")
    static let status = gauge("status", "Value of the status array bits.")
    static let constant = gauge("loop_time_constant", "Phase-locked loop time constant.")
    static let tick = gauge("tick_seconds", "Seconds between clock ticks.", unit: "seconds")
    static let ppsFrequency = gauge("pps_frequency_hertz", "Pulse per second frequency.", unit: "hertz")
    static let ppsJitter = gauge("pps_jitter_seconds", "Pulse per second jitter.", unit: "seconds")
    static let ppsShift = gauge("pps_shift_seconds", "Pulse per second interval duration.", unit: "seconds")
    static let ppsStability = gauge("pps_stability_hertz", "Pulse per second stability, average of recent frequency changes.", unit: "hertz")
    static let ppsJitterCount = counter("pps_jitter_total", "Pulse per second count of jitter limit exceeded events.")
    static let ppsCalibrationCount = counter("pps_calibration_total", "Pulse per second count of calibration intervals.")
    static let ppsErrorCount = counter("pps_error_total", "Pulse per second count of calibration errors.")
    static let ppsStabilityCount = counter("pps_stability_exceeded_total", "Pulse per second count of stability limit exceeded events.")
    static let tai = gauge("tai_offset_seconds", "International Atomic Time (TAI) offset.", unit: "seconds")
    static let syncStatus = gauge("sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).")

    private static func gauge(_ name: String, _ help: String, unit: String = "") -> FamilyDescriptor {
        FamilyDescriptor(name: "node_timex_" + name, type: .gauge, help: help, unit: unit)
    }

    private static func counter(_ name: String, _ help: String) -> FamilyDescriptor {
        FamilyDescriptor(name: "node_timex_" + name, type: .counter, help: help)
    }
}

/// `node_timex_*` from adjtimex(2) (read only), as node_exporter 1.5 (without the later
/// `offset_overflow_total`). A kernel or seccomp profile that refuses the call (EPERM) gives
/// nothing, as node_exporter's ErrNoData; other errors fail the collector.
struct TimexCollector: Collector {
    /// The clock; tests pass a fixed state.
    let read: @Sendable () throws(SystemError) -> KernelClockState

    init(read: @escaping @Sendable () throws(SystemError) -> KernelClockState = { () throws(SystemError) in try KernelClockState.current() }) {
        self.read = read
    }

    /// One system call that does not block.
    var mayBlock: Bool { false }

    func collect(_ context: CollectContext) throws -> [MetricFamily] {
        let state: KernelClockState
        do {
            state = try read()
        } catch {
            if error.isPermissionDenied { return [] }
            throw error
        }
        let r = TimexReading(state)
        let values: [(FamilyDescriptor, Double)] = [
            (TimexMetrics.syncStatus, r.synchronised), (TimexMetrics.offset, r.offsetSeconds),
            (TimexMetrics.frequency, r.frequencyRatio), (TimexMetrics.maxError, r.maxErrorSeconds),
            (TimexMetrics.estimatedError, r.estimatedErrorSeconds), (TimexMetrics.status, r.status),
            (TimexMetrics.constant, r.loopTimeConstant), (TimexMetrics.tick, r.tickSeconds),
            (TimexMetrics.ppsFrequency, r.ppsFrequencyHertz), (TimexMetrics.ppsJitter, r.ppsJitterSeconds),
            (TimexMetrics.ppsShift, r.ppsShiftSeconds), (TimexMetrics.ppsStability, r.ppsStabilityHertz),
            (TimexMetrics.ppsJitterCount, r.ppsJitterTotal), (TimexMetrics.ppsCalibrationCount, r.ppsCalibrationTotal),
            (TimexMetrics.ppsErrorCount, r.ppsErrorTotal), (TimexMetrics.ppsStabilityCount, r.ppsStabilityExceededTotal),
            (TimexMetrics.tai, r.taiOffsetSeconds),
        ]
        return values.map { MetricFamily($0.0, value: $0.1) }
    }
}
