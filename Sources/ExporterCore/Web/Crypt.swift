import CCrypt

/// The only Swift file that touches libcrypt (libxcrypt on Debian 12): bcrypt for basic auth.
/// libcrypt.so.1 is dlopen'ed on the first check, so exporters without `basic_auth_users` do not
/// map it; crypt_rn is the reentrant form that reports failure as nil (crypt_r returns a "*0"
/// token instead), and it is safe from several threads because each call has its own data area.
enum Crypt {
    struct LoadError: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    private struct Library: @unchecked Sendable {
        // @unchecked: C function pointers into a library that is never unloaded.
        let crypt_rn: se_crypt_rn_fn
        let crypt_gensalt_rn: se_crypt_gensalt_rn_fn
    }

    private static let shared: Result<Library, LoadError> = {
        do throws(DynamicLibrary.LoadError) {
            let library = try DynamicLibrary.open("libcrypt.so.1")
            return .success(Library(
                crypt_rn: try library.function("crypt_rn", as: se_crypt_rn_fn.self),
                crypt_gensalt_rn: try library.function("crypt_gensalt_rn", as: se_crypt_gensalt_rn_fn.self)))
        } catch {
            return .failure(LoadError(description: error.description + " (install libcrypt1)"))
        }
    }()

    /// crypt(3) of `password` with the method, cost and salt of `setting` (a whole bcrypt hash
    /// works: its salt prefix is used); nil when libcrypt rejects the input.
    static func hash(password: [UInt8], setting: String) throws(LoadError) -> [UInt8]? {
        let c = try shared.get()
        let size = MemoryLayout<crypt_data>.size
        // ~32 KB: on the heap, not on a worker's 512 KB stack; zeroed as crypt_rn requires.
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            data.initializeMemory(as: UInt8.self, repeating: 0, count: size)  // no password copy left behind
            data.deallocate()
        }
        let phrase = password.map { CChar(bitPattern: $0) } + [0]
        guard let result = c.crypt_rn(phrase, setting, data, Int32(size)) else { return nil }
        return Array(String(cString: result).utf8)
    }

    /// A new bcrypt hash (`$2b$`, `cost`), salted from libcrypt's own random source; for tests
    /// and tools that need a hash to put in a file.
    static func bcrypt(password: [UInt8], cost: Int) throws(LoadError) -> String? {
        let c = try shared.get()
        var setting = [CChar](repeating: 0, count: 64)
        guard c.crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, &setting, Int32(setting.count)) != nil else { return nil }
        let prefix = String(decoding: setting.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return try hash(password: password, setting: prefix).map { String(decoding: $0, as: UTF8.self) }
    }
}
