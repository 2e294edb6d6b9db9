import CZlib

/// gzip through zlib (RFC 1952). The only user of CZlib.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// windowBits 15 + 16 selects the gzip wrapper in deflateInit2 / inflateInit2 (zlib manual).
    private static let gzipWindowBits: Int32 = 15 + 16

    /// Compresses in one call. Level 3: metrics text compresses about 10x even at low levels, and
    /// CPU per scrape matters more than the last few percent.
    public static func compress(_ input: [UInt8], level: Int32 = 3) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let initialized = deflateInit2_(&stream, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY,
                                        ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initialized == Z_OK else { throw Failure(description: "deflateInit2 failed: \(initialized)") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "deflate did not finish: \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Decompresses a gzip member, refusing output beyond `limit` bytes (a gzip bomb guard).
    public static func decompress(_ input: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var input = input
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32 = Z_OK
        try input.withUnsafeMutableBufferPointer { inBuffer throws(Failure) in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else { throw Failure(description: "inflate failed: \(status)") }
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= limit else { throw Failure(description: "decompressed size over \(limit) bytes") }
                if produced == 0 && stream.avail_in == 0 && status != Z_STREAM_END {
                    throw Failure(description: "truncated gzip stream")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}

extension Gzip {
    /// Whether a file is one complete gzip file, fed chunk by chunk and kept nowhere: the output
    /// goes to one 64 KiB scratch buffer, so a 2 GB backup costs zlib's 32 KiB window and that.
    /// As gzip(1) -t: several members one after another are one valid file (pigz, `cat a.gz b.gz`);
    /// each member's CRC-32 and length trailer is checked by zlib (RFC 1952 §2.3.1); anything after
    /// the last member that is not another member is trailing garbage (gzip warns; we refuse, a
    /// backup should be exactly what was written).
    public final class Verifier {
        public enum Verdict: Equatable, Sendable {
            case valid
            case empty
            case truncated
            case notGzip
            case trailingGarbage
            /// zlib's message: "incorrect data check" (CRC-32), "invalid block type"…
            case corrupt(String)
        }

        private let stream: UnsafeMutablePointer<z_stream>
        private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        private var magic: [UInt8] = []
        private var atMemberStart = true
        private var members = 0
        private var fedAnything = false

        public init() throws(Failure) {
            stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard inflateInit2_(stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                throw Failure(description: "inflateInit2 failed")
            }
        }

        deinit {
            inflateEnd(stream)
            stream.deallocate()
        }

        /// Uncompressed bytes of the members so far.
        public var uncompressedBytes: UInt64 { UInt64(stream.pointee.total_out) }

        /// The next bytes of the file: a verdict as soon as one is certain (corrupt, not gzip,
        /// trailing garbage), else nil.
        public func feed(_ input: UnsafeRawBufferPointer) -> Verdict? {
            guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            if !input.isEmpty { fedAnything = true }
            var rest = UnsafeBufferPointer(start: base, count: input.count)
            while !rest.isEmpty {
                if atMemberStart {
                    while magic.count < 2, let byte = rest.first {
                        magic.append(byte)
                        rest = UnsafeBufferPointer(rebasing: rest.dropFirst())
                    }
                    guard magic.count == 2 else { return nil }
                    guard magic == [0x1F, 0x8B] else { return members == 0 ? .notGzip : .trailingGarbage }
                    if members > 0 { inflateReset(stream) }
                    atMemberStart = false
                    let header = magic
                    magic = []
                    if let verdict = header.withUnsafeBufferPointer({ inflateSome($0).verdict }) { return verdict }
                } else {
                    let step = inflateSome(rest)
                    if let verdict = step.verdict { return verdict }
                    rest = UnsafeBufferPointer(rebasing: rest.dropFirst(step.consumed))
                }
            }
            return nil
        }

        /// End of file: valid when it ended right after a member.
        public func finish() -> Verdict {
            if !fedAnything { return .empty }
            if atMemberStart && members > 0 { return magic.isEmpty ? .valid : .trailingGarbage }
            return .truncated
        }

        /// Inflates `input` into the scratch buffer until it is consumed or the member ends.
        private func inflateSome(_ input: UnsafeBufferPointer<UInt8>) -> (consumed: Int, verdict: Verdict?) {
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            var status: Int32 = Z_OK
            scratch.withUnsafeMutableBufferPointer { out in
                repeat {
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = uInt(out.count)
                    status = inflate(stream, Z_NO_FLUSH)
                } while status == Z_OK && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
            }
            let consumed = input.count - Int(stream.pointee.avail_in)
            switch status {
            case Z_STREAM_END:
                members += 1
                atMemberStart = true
                return (consumed, nil)
            case Z_OK:
                return (consumed, nil)
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                return (consumed, nil)
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                return (consumed, .corrupt(message))
            }
        }
    }
}
