import Glibc
import Synchronization

/// sysfs attributes read on every scrape through descriptors kept open between scrapes. A pread
/// at offset 0 makes the kernel format the value again (sysfs attributes are seq_files of at most a
/// page, Documentation/filesystems/sysfs.rst), so a read costs one system call instead of four
/// (openat, read, read to see EOF, close); for /sys/class/net that is ~90 calls per scrape fewer.
///
/// Each directory (one network device) is checked once per scrape with stat(2): when the path
/// now leads to another kernfs node (the device was removed, renamed or recreated) its descriptors
/// are closed and opened afresh, so a value is never read from a device under another's name.
/// Directories not visited in a scrape are closed after it. At most `capacity` descriptors (and
/// 1/16 of the open-file limit) are kept; beyond that, attributes are opened and closed each time.
public final class KeptOpenAttributes: Sendable {
    private struct Directory {
        var identity: (device: UInt64, inode: UInt64)
        var files: [String: Int32] = [:]
        var generation: UInt64
    }

    private struct State {
        var directories: [String: Directory] = [:]
        var generation: UInt64 = 0
        var open = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// At most `capacity` descriptors, and never more than 1/16 of the open-file limit: the HTTP
    /// server's connections come first.
    public init(capacity: Int = 256) {
        let share = Int(clamping: ProcessSetup.openFileLimit() / 16)
        self.capacity = max(0, min(capacity, share))
    }

    deinit {
        state.withLock { state in
            for directory in state.directories.values { directory.files.values.forEach { _ = Glibc.close($0) } }
        }
    }

    /// Descriptors currently kept open.
    var openCount: Int { state.withLock { $0.open } }

    /// Starts a scrape; `endScrape` closes the directories it did not visit.
    public func beginScrape() { state.withLock { $0.generation &+= 1 } }

    /// Checks `directory` for this scrape; false when it cannot be stat'ed (then it is forgotten).
    public func visit(_ directory: String) -> Bool {
        var st = stat()
        let exists = stat(directory, &st) == 0
        state.withLock { state in
            let identity = (device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            if let known = state.directories[directory], !exists || known.identity != identity {
                Self.close(known, &state)
                state.directories[directory] = nil
            }
            guard exists else { return }
            if state.directories[directory] == nil {
                state.directories[directory] = Directory(identity: identity, generation: state.generation)
            }
            state.directories[directory]?.generation = state.generation
        }
        return exists
    }

    /// Reads `name` in a directory visited in this scrape.
    public func read(_ directory: String, _ name: String) -> Result<String, FileReader.ReadError> {
        read(directory, name) { String(decoding: $0, as: UTF8.self) }
    }

    /// Reads `name` and hands its bytes to `decode` (a number parsed in place: no String).
    public func read<T: Sendable>(
        _ directory: String, _ name: String, decode: (UnsafeBufferPointer<UInt8>) -> T
    ) -> Result<T, FileReader.ReadError> {
        let path = directory + "/" + name
        return state.withLock { state in
            if let fd = state.directories[directory]?.files[name] {
                let result = Self.pread(fd, path, decode)
                // A kept descriptor of an attribute that went away: forget it, open afresh below.
                guard case .failure(let error) = result, let code = error.cause?.code, code == ENODEV || code == ESTALE
                else { return result }
                _ = Glibc.close(fd)
                state.directories[directory]?.files[name] = nil
                state.open -= 1
            }
            // Opened as every file of outside input: a FIFO or device here is refused, not waited on.
            let fd: Int32
            do throws(FileReader.ReadError) { fd = try FileReader.openRegular(path) } catch { return .failure(error) }
            let result = Self.pread(fd, path, decode)
            if state.open < capacity, state.directories[directory] != nil {
                state.directories[directory]?.files[name] = fd
                state.open += 1
            } else {
                _ = Glibc.close(fd)
            }
            return result
        }
    }

    /// Closes the directories no longer present.
    public func endScrape() {
        state.withLock { state in
            let generation = state.generation
            for (path, directory) in state.directories where directory.generation != generation {
                Self.close(directory, &state)
                state.directories[path] = nil
            }
        }
    }

    private static func close(_ directory: Directory, _ state: inout State) {
        for fd in directory.files.values { _ = Glibc.close(fd) }
        state.open -= directory.files.count
    }

    /// One page from offset 0; an attribute is never larger.
    private static func pread<T>(_ fd: Int32, _ path: String, _ decode: (UnsafeBufferPointer<UInt8>) -> T) -> Result<T, FileReader.ReadError> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            while true {
                let n = Glibc.pread(fd, buffer.baseAddress, buffer.count, 0)
                if n >= 0 { return .success(decode(UnsafeBufferPointer(rebasing: buffer[0..<n]))) }
                if errno == EINTR { continue }
                return .failure(FileReader.ReadError(path: path, cause: .lastError("pread"), tooLarge: false))
            }
        }
    }
}
