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
