/// Splits the bytes of a growing file into lines as they are read, chunk by chunk. A line whose
/// end has not been written yet is kept as a fragment and completed by the next read, so it is
/// handed on once, whole. Memory is bounded by `maxLine`: a line longer than that is dropped and
/// counted (`overlong`), and the rest of it is skipped up to its newline.
struct LineSplitter: Sendable {
    let maxLine: Int
    private(set) var fragment: [UInt8] = []
    /// Inside an overlong line, skipping to its end.
    private(set) var skipping = false
    private(set) var overlong = 0

    init(maxLine: Int) { self.maxLine = maxLine }

    /// Hands every complete line of `chunk` (without its newline) to `line`.
    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ line: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        while start < chunk.count {
            guard let newline = Self.firstNewline(chunk, from: start) else {
                keep(UnsafeBufferPointer(rebasing: chunk[start...]))
                return
            }
            let piece = UnsafeBufferPointer(rebasing: chunk[start..<newline])
            start = newline + 1
            if skipping { skipping = false; continue }
            if fragment.isEmpty {
                if piece.count > maxLine { overlong += 1; continue }
                line(piece)
                continue
            }
            guard fragment.count + piece.count <= maxLine else {
                overlong += 1
                fragment.removeAll(keepingCapacity: true)
                continue
            }
            fragment.append(contentsOf: piece)
            fragment.withUnsafeBufferPointer { line($0) }
            fragment.removeAll(keepingCapacity: true)
        }
    }

    /// The file will not grow any more (rotated away): its unterminated last line, if any, is
    /// handed on as a line.
    mutating func finish(_ line: (UnsafeBufferPointer<UInt8>) -> Void) {
        if !fragment.isEmpty { fragment.withUnsafeBufferPointer { line($0) } }
        reset()
    }

    /// Overlong lines dropped since the last call.
    mutating func takeOverlong() -> Int {
        defer { overlong = 0 }
        return overlong
    }

    /// The file was truncated: what was kept belonged to content that is gone.
    mutating func reset() {
        fragment = []
        skipping = false
    }

    private mutating func keep(_ tail: UnsafeBufferPointer<UInt8>) {
        if skipping { return }
        guard fragment.count + tail.count <= maxLine else {
            overlong += 1
            skipping = true
            fragment = []
            return
        }
        fragment.append(contentsOf: tail)
    }

    private static func firstNewline(_ chunk: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        while i < chunk.count {
            if chunk[i] == 0x0A { return i }
            i += 1
        }
        return nil
    }
}
