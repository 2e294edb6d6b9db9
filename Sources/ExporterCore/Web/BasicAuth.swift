import Synchronization

/// HTTP Basic authentication (RFC 7617) against the bcrypt hashes of `basic_auth_users`.
///
/// A bcrypt check costs 50–100 ms of CPU at cost 10, so it never runs on the event loop: `check`
/// (on the loop) only parses the header and looks in the cache; a miss comes back as
/// `.verify(credentials)`, which the server runs on a small worker pool with a bound on checks in
/// flight. Successful checks are cached under SHA-256(user, hash, password), so a cached success
/// says nothing about any other password (exporter-toolkit CVE-2022-46146 keyed its cache in a way
/// that let a wrong password in after a right one), and a changed hash after a reload misses.
public final class BasicAuth: Sendable {
    public enum Check: Sendable {
        /// A cached success: serve the request.
        case allowed
        /// No, malformed or impossible credentials: 401 without any bcrypt work.
        case denied
        /// Needs a bcrypt check (`verify`) off the event loop.
        case verify(Credentials)
    }

    /// One attempt, carried to the worker. Never logged.
    public struct Credentials: Sendable {
        let password: [UInt8]
        let hash: String
        let knownUser: Bool
        let cacheKey: [UInt8]
    }

    private let users: [String: String]
    private let cache: BasicAuthCache
    /// Checked for unknown users, so that a wrong user name costs as much as a wrong password
    /// and timing reveals no user names (exporter-toolkit #39). The cost matches the users' own.
    private let decoyHash: String

    /// libxcrypt's limit (CRYPT_MAX_PASSPHRASE_SIZE); longer passwords are refused unhashed.
    static let maxPasswordBytes = 512

    public static let challenge = HTTPHeader("WWW-Authenticate", "Basic realm=\"stack_exporter\", charset=\"UTF-8\"")

    public static var unauthorized: HTTPResponse {
        .text(.unauthorized, "Unauthorized\n", headers: [challenge])
    }

    /// `cache` outlives reloads: its keys include the hash, so entries of a replaced password
    /// simply stop matching.
    public init(users: [String: String], cache: BasicAuthCache = BasicAuthCache()) {
        self.users = users
        self.cache = cache
        let cost = users.values.compactMap { Self.cost(of: $0) }.max() ?? 10
        let costText = cost < 10 ? "0\(cost)" : "\(cost)"
        decoyHash = "$2b$\(costText)$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"
    }

    /// On the event loop: header parsing and a cache lookup, nothing slow.
    public func check(authorization: String?) -> Check {
        guard let authorization, let (user, password) = Self.parse(authorization) else { return .denied }
        guard password.count <= Self.maxPasswordBytes, !password.contains(0) else { return .denied }
        let hash = users[user]
        let credentials = Credentials(
            password: password, hash: hash ?? decoyHash, knownUser: hash != nil,
            cacheKey: Self.cacheKey(user: Array(user.utf8), hash: Array((hash ?? decoyHash).utf8), password: password))
        if hash != nil, cache.contains(credentials.cacheKey) { return .allowed }
        return .verify(credentials)
    }

    /// On a worker: the bcrypt check, compared in constant time; a success is cached.
    public func verify(_ credentials: Credentials) -> Bool {
        let computed: [UInt8]?
        do {
            computed = try Crypt.hash(password: credentials.password, setting: credentials.hash)
        } catch {
            return false
        }
        let matches = Self.constantTimeEquals(computed ?? [], Array(credentials.hash.utf8))
        guard matches && credentials.knownUser else { return false }
        cache.insert(credentials.cacheKey)
        return true
    }

    /// `Basic base64(user:password)`; the scheme is case-insensitive (RFC 9110 §11.1).
    static func parse(_ header: String) -> (String, [UInt8])? {
        let trimmed = String(header.trimmingSpacesAndTabs)
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "basic " else { return nil }
        let encoded = Array(trimmed.dropFirst(6).utf8)
        guard !encoded.isEmpty, encoded.count <= 4 * (maxPasswordBytes + 256) / 3 + 4,
              let decoded = Base64.decode(encoded[...]), let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        let user = String(decoding: decoded[..<colon], as: UTF8.self)
        return (user, Array(decoded[(colon + 1)...]))
    }

    /// Length-prefixed fields, so ("ab", "c") and ("a", "bc") never share a key.
    static func cacheKey(user: [UInt8], hash: [UInt8], password: [UInt8]) -> [UInt8] {
        var message: [UInt8] = []
        for field in [user, hash, password] {
            let n = UInt32(clamping: field.count)
            message += [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
            message += field
        }
        return SHA256.digest(message)
    }

    /// Compares every byte whatever the first difference, so the time taken does not tell how
    /// much of a hash matched.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }

    /// `$2a$`, `$2b$` or `$2y$`, two-digit cost 4…31, then 53 characters of bcrypt's base64.
    static func isBcryptHash(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 60, text.hasPrefix("$2a$") || text.hasPrefix("$2b$") || text.hasPrefix("$2y$"),
              bytes[6] == UInt8(ascii: "$"), let cost = cost(of: text), (4...31).contains(cost) else { return false }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return bytes[7...].allSatisfy { alphabet.contains($0) }
    }

    static func cost(of hash: String) -> Int? {
        let bytes = Array(hash.utf8)
        guard bytes.count >= 7 else { return nil }
        return Int(String(decoding: bytes[4..<6], as: UTF8.self))
    }
}

/// Digests of recent successful checks, bounded (oldest dropped first). Only successes are kept:
/// a wrong password is checked again every time, at the cost the server's bound allows.
public final class BasicAuthCache: Sendable {
    private let entries = Mutex<[[UInt8]]>([])
    private let capacity: Int

    public init(capacity: Int = 64) { self.capacity = capacity }

    func contains(_ key: [UInt8]) -> Bool {
        entries.withLock { list in list.contains { BasicAuth.constantTimeEquals($0, key) } }
    }

    func insert(_ key: [UInt8]) {
        entries.withLock { list in
            guard !list.contains(key) else { return }
            if list.count >= capacity { list.removeFirst() }
            list.append(key)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
