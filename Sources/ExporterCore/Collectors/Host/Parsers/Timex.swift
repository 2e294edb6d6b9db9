/// adjtimex(2)'s state in node_exporter's units (timex collector): offsets and the PPS jitter in
/// nanoseconds when STA_NANO is set, else microseconds; maxerror, esterror and tick always in
/// microseconds; frequencies in "scaled ppm" (ppm with a 16-bit fraction, see NOTES in adjtimex(2)).
struct TimexReading: Equatable {
    var synchronised: Double
    var offsetSeconds, frequencyRatio, maxErrorSeconds, estimatedErrorSeconds: Double
    var status, loopTimeConstant, tickSeconds: Double
    var ppsFrequencyHertz, ppsJitterSeconds, ppsShiftSeconds, ppsStabilityHertz: Double
    var ppsJitterTotal, ppsCalibrationTotal, ppsErrorTotal, ppsStabilityExceededTotal: Double
    var taiOffsetSeconds: Double

    private static let scaledPPM = 1_000_000.0 * 65536.0
    private static let microsecond = 1_000_000.0

    init(_ s: KernelClockState) {
        let perSecond = (s.status & KernelClockState.nanosecondResolution) != 0 ? 1_000_000_000.0 : Self.microsecond
        synchronised = s.clockState == KernelClockState.timeError ? 0 : 1
        offsetSeconds = Double(s.offset) / perSecond
        frequencyRatio = 1 + Double(s.frequency) / Self.scaledPPM
        maxErrorSeconds = Double(s.maxError) / Self.microsecond
        estimatedErrorSeconds = Double(s.estimatedError) / Self.microsecond
        status = Double(s.status)
        loopTimeConstant = Double(s.constant)
        tickSeconds = Double(s.tick) / Self.microsecond
        ppsFrequencyHertz = Double(s.ppsFrequency) / Self.scaledPPM
        ppsJitterSeconds = Double(s.ppsJitter) / perSecond
        // node_exporter reports the shift (log2 of the PPS interval in seconds) as it is.
        ppsShiftSeconds = Double(s.ppsShift)
        ppsStabilityHertz = Double(s.ppsStability) / Self.scaledPPM
        ppsJitterTotal = Double(s.jitterCount)
        ppsCalibrationTotal = Double(s.calibrationCount)
        ppsErrorTotal = Double(s.errorCount)
        ppsStabilityExceededTotal = Double(s.stabilityCount)
        taiOffsetSeconds = Double(s.taiOffset)
    }
}
