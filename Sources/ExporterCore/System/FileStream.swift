import Glibc

extension FileReader {
    /// A regular file of outside input read front to back in caller-sized chunks, for files too
    /// large to hold (a backup verified through zlib): opened as `openRegular` opens (non-blocking,
    /// regular files only), one buffer the caller owns, nothing kept. The pages read are dropped
    /// from the page cache as it goes (POSIX_FADV_DONTNEED), so verifying a 2 GB backup does not
    /// evict the hot pages of the database next to it.
    public final class Stream {
        public let path: String
        private let fd: Int32
        private var offset: Int64 = 0
        private var dropped: Int64 = 0
        private let opened: stat

        public init(_ path: String) throws(ReadError) {
            self.path = path
            fd = try FileReader.openRegular(path)
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                let error = ReadError(path: path, cause: .lastError("fstat"), tooLarge: false)
                Glibc.close(fd)
                throw error
            }
            opened = info
            // Sequential: the kernel reads ahead further (posix_fadvise(2)).
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        }

        deinit { Glibc.close(fd) }

        /// The size when opened.
        public var sizeAtOpen: Int64 { Int64(opened.st_size) }
        /// Size, mtime (ns), inode and device when opened, to check it is the file that was stat-ed.
        public var identityAtOpen: (size: Int64, modifiedNanoseconds: Int64, inode: UInt64, device: UInt64) {
            (Int64(opened.st_size), Int64(opened.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(opened.st_mtim.tv_nsec),
             UInt64(opened.st_ino), UInt64(opened.st_dev))
        }
        /// Bytes read so far.
        public var position: Int64 { offset }

        /// Reads up to `buffer.count` bytes; 0 at end of file.
        public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n >= 0 {
                    offset += Int64(n)
                    if offset - dropped >= 8 << 20 { dropCache() }
                    return n
                }
                if errno == EINTR { continue }
                throw ReadError(path: path, cause: .lastError("read"), tooLarge: false)
            }
        }

        /// Whether size, mtime or ctime differ from when the file was opened (written meanwhile).
        public func changedSinceOpen() -> Bool {
            var now = stat()
            guard fstat(fd, &now) == 0 else { return true }
            return now.st_size != opened.st_size
                || now.st_mtim.tv_sec != opened.st_mtim.tv_sec || now.st_mtim.tv_nsec != opened.st_mtim.tv_nsec
                || now.st_ctim.tv_sec != opened.st_ctim.tv_sec || now.st_ctim.tv_nsec != opened.st_ctim.tv_nsec
        }

        /// Drops what was read from the page cache.
        public func dropCache() {
            _ = posix_fadvise(fd, 0, off_t(offset), POSIX_FADV_DONTNEED)
            dropped = offset
        }
    }
}
