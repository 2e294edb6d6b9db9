import Glibc

extension FileReader {
    /// A growing file (an access log) read from where the last read stopped, through a descriptor
    /// kept open between scrapes: after a rename the descriptor still reads the old file, which the
    /// writer may go on appending to until it reopens (nginx on USR1). Opened as `openRegular`
    /// opens, so a FIFO, a device or a directory at the path is refused, never waited on.
    /// Reads are pread(2) at an offset the caller keeps, into a buffer the caller owns.
    public final class FollowedFile: Sendable {
        public let path: String
        /// Device and inode when opened: the path names another file once these differ.
        public let device: UInt64
        public let inode: UInt64
        private let fd: Int32

        public init(_ path: String) throws(ReadError) {
            self.path = path
            let fd = try FileReader.openRegular(path)
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                let error = ReadError(path: path, cause: .lastError("fstat"), tooLarge: false)
                Glibc.close(fd)
                throw error
            }
            self.fd = fd
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }

        deinit { Glibc.close(fd) }

        /// The size now (fstat on the descriptor: the file that is open, whatever the path names).
        public func size() throws(ReadError) -> Int64 {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw ReadError(path: path, cause: .lastError("fstat"), tooLarge: false) }
            return Int64(info.st_size)
        }

        /// Reads up to `buffer.count` bytes at `offset`; 0 at end of file.
        public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
            while true {
                let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw ReadError(path: path, cause: .lastError("pread"), tooLarge: false)
            }
        }
    }
}
