import CSystem
import Glibc

/// The kernel clock discipline's state from adjtimex(2) with `modes = 0` (read only, no
/// privilege needed), as node_exporter's timex collector reads it. The fields keep the kernel's
/// units (see adjtimex(2)); `TimexReading` converts them.
public struct KernelClockState: Sendable, Equatable {
    /// adjtimex's return value: TIME_OK (0) … TIME_ERROR (5, the clock is not synchronised).
    public var clockState: Int32
    public var offset, frequency, maxError, estimatedError: Int
    public var status: Int32
    public var constant, tick, ppsFrequency, ppsJitter: Int
    public var ppsShift: Int32
    public var ppsStability, jitterCount, calibrationCount, errorCount, stabilityCount: Int
    public var taiOffset: Int32

    public init(
        clockState: Int32 = 0, offset: Int = 0, frequency: Int = 0, maxError: Int = 0, estimatedError: Int = 0,
        status: Int32 = 0, constant: Int = 0, tick: Int = 0, ppsFrequency: Int = 0, ppsJitter: Int = 0,
        ppsShift: Int32 = 0, ppsStability: Int = 0, jitterCount: Int = 0, calibrationCount: Int = 0,
        errorCount: Int = 0, stabilityCount: Int = 0, taiOffset: Int32 = 0
    ) {
        self.clockState = clockState
        self.offset = offset
        self.frequency = frequency
        self.maxError = maxError
        self.estimatedError = estimatedError
        self.status = status
        self.constant = constant
        self.tick = tick
        self.ppsFrequency = ppsFrequency
        self.ppsJitter = ppsJitter
        self.ppsShift = ppsShift
        self.ppsStability = ppsStability
        self.jitterCount = jitterCount
        self.calibrationCount = calibrationCount
        self.errorCount = errorCount
        self.stabilityCount = stabilityCount
        self.taiOffset = taiOffset
    }

    /// TIME_ERROR and STA_NANO from <sys/timex.h>.
    public static let timeError = Int32(TIME_ERROR)
    public static let nanosecondResolution = Int32(STA_NANO)

    /// One adjtimex(2) call that changes nothing (`modes = 0`).
    public static func current() throws(SystemError) -> KernelClockState {
        var buf = timex()
        buf.modes = 0
        let state = adjtimex(&buf)
        guard state >= 0 else { throw SystemError.lastError("adjtimex") }
        return KernelClockState(
            clockState: state, offset: buf.offset, frequency: buf.freq, maxError: buf.maxerror,
            estimatedError: buf.esterror, status: buf.status, constant: buf.constant, tick: buf.tick,
            ppsFrequency: buf.ppsfreq, ppsJitter: buf.jitter, ppsShift: buf.shift, ppsStability: buf.stabil,
            jitterCount: buf.jitcnt, calibrationCount: buf.calcnt, errorCount: buf.errcnt,
            stabilityCount: buf.stbcnt, taiOffset: buf.tai)
    }
}
