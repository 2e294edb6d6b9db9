import CSystem
import Glibc
import Synchronization

/// procfs and sysfs files read on every scrape through descriptors kept open between scrapes.
/// Their content is generated when read: a pread from offset 0 makes the kernel format it again
/// (seq_file restarts at position 0, fs/seq_file.c), so a read costs one or two system calls
/// instead of openat, read, read and close, and no path walk through /proc.
///
/// Only files on procfs or sysfs are kept (checked once with fstatfs when opened): a regular file
/// (a fixture tree, /etc/os-release) can be replaced by rename, and a kept descriptor would then
/// read the old one. A kept descriptor that fails is closed and the file opened afresh.
public final class KeptOpenFiles: Sendable {
    private let descriptors = Mutex<[String: Int32]>([:])
    private let capacity: Int

    public init(capacity: Int = 16) { self.capacity = capacity }

    deinit {
        descriptors.withLock { $0.values.forEach { _ = Glibc.close($0) } }
    }

    /// Descriptors currently kept open.
    var openCount: Int { descriptors.withLock { $0.count } }

    public func readText(_ path: String, limit: Int = FileReader.defaultLimit) throws(FileReader.ReadError) -> String {
        try read(path) { fd, fromStart throws(FileReader.ReadError) in
            try FileReader.readText(fd, path: path, limit: limit, fromStart: fromStart)
        }
    }

    public func readBytes(_ path: String, limit: Int = FileReader.defaultLimit) throws(FileReader.ReadError) -> [UInt8] {
        try read(path) { fd, fromStart throws(FileReader.ReadError) in
            try FileReader.readBytes(fd, path: path, limit: limit, fromStart: fromStart)
        }
    }

    private func read<T>(
        _ path: String, _ body: (Int32, Bool) throws(FileReader.ReadError) -> T
    ) throws(FileReader.ReadError) -> T {
        // Taken out while in use: a second reader of the same path opens its own descriptor.
        if let fd = descriptors.withLock({ $0.removeValue(forKey: path) }) {
            if let value = try? body(fd, true) {
                keep(fd, for: path)
                return value
            }
            _ = Glibc.close(fd)
        }
        let fd = try FileReader.openRegular(path)
        let value: T
        do {
            value = try body(fd, false)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        if Self.isGenerated(fd) { keep(fd, for: path) } else { _ = Glibc.close(fd) }
        return value
    }

    private func keep(_ fd: Int32, for path: String) {
        let kept = descriptors.withLock { files -> Bool in
            guard files[path] == nil, files.count < capacity else { return false }
            files[path] = fd
            return true
        }
        if !kept { _ = Glibc.close(fd) }
    }

    /// On procfs or sysfs.
    static func isGenerated(_ fd: Int32) -> Bool {
        var info = statfs()
        guard fstatfs(fd, &info) == 0 else { return false }
        return info.f_type == FileSystem.procfsType || info.f_type == FileSystem.sysfsType
    }
}
