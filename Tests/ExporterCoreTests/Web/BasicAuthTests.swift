import Foundation
import Testing
@testable import ExporterCore
import TestSupport

func basic(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
}

/// A fresh bcrypt hash from libcrypt (cost 4 keeps the tests fast; cost does not change the logic).
func bcrypt(_ password: String, cost: Int = 4) throws -> String {
    try #require(try Crypt.bcrypt(password: Array(password.utf8), cost: cost))
}

/// check, then verify when the cache cannot answer: the whole decision as the server makes it.
private func authenticate(_ auth: BasicAuth, _ header: String?) -> Bool {
    switch auth.check(authorization: header) {
    case .allowed: true
    case .denied: false
    case .verify(let credentials): auth.verify(credentials)
    }
}

private func isCacheHit(_ auth: BasicAuth, _ header: String) -> Bool {
    if case .allowed = auth.check(authorization: header) { return true }
    return false
}

@Suite struct BasicAuthTests {
    @Test func rightPasswordPassesAndIsCachedWrongOneFailsAndIsNot() throws {
        let auth = BasicAuth(users: ["alice": try bcrypt("secret")])
        #expect(!isCacheHit(auth, basic("alice", "secret")))
        #expect(authenticate(auth, basic("alice", "secret")))
        #expect(isCacheHit(auth, basic("alice", "secret")))
        #expect(!authenticate(auth, basic("alice", "Secret")))
        #expect(!isCacheHit(auth, basic("alice", "Secret")), "failures are not cached as successes")
        #expect(!authenticate(auth, basic("bob", "secret")))
        #expect(!authenticate(auth, nil))
    }

    /// CVE-2022-46146: after a right password was cached, neither a wrong password, nor the hash
    /// itself as the password, nor a user name crafted to run into the hash, gets in.
    @Test func theCacheCannotBePoisoned() throws {
        let hash = try bcrypt("secret")
        let auth = BasicAuth(users: ["alice": hash])
        #expect(authenticate(auth, basic("alice", "secret")))
        #expect(!authenticate(auth, basic("alice", "wrong")))
        #expect(!authenticate(auth, basic("alice", "")))
        #expect(!authenticate(auth, basic("alice", hash)))
        #expect(!authenticate(auth, basic("alice" + hash, "secret")))
        #expect(!authenticate(auth, basic("alic", "esecret")))
        // Field boundaries are part of the key.
        #expect(BasicAuth.cacheKey(user: Array("ab".utf8), hash: Array("c".utf8), password: Array("d".utf8))
                != BasicAuth.cacheKey(user: Array("a".utf8), hash: Array("bc".utf8), password: Array("d".utf8)))
        // A replaced hash (reload) no longer matches the old entry, though the cache is shared.
        let reloaded = BasicAuth(users: ["alice": try bcrypt("new")], cache: BasicAuthCache())
        #expect(!authenticate(reloaded, basic("alice", "secret")))
        #expect(authenticate(reloaded, basic("alice", "new")))
    }

    @Test func theCacheIsBounded() throws {
        let cache = BasicAuthCache(capacity: 3)
        for i in 0..<10 { cache.insert(SHA256.digest([UInt8(i)])) }
        #expect(cache.count == 3)
        #expect(cache.contains(SHA256.digest([9])))
        #expect(!cache.contains(SHA256.digest([0])))
    }

    @Test func constantTimeComparisonIsExact() {
        let a = Array("$2b$04$abcdefghijklmnopqrstuv".utf8)
        #expect(BasicAuth.constantTimeEquals(a, a))
        #expect(!BasicAuth.constantTimeEquals(a, Array(a.dropLast()) + [UInt8(ascii: "w")]))
        #expect(!BasicAuth.constantTimeEquals(a, Array(a.dropLast())))
        #expect(!BasicAuth.constantTimeEquals([], a))
        #expect(BasicAuth.constantTimeEquals([], []))
    }

    @Test(arguments: ["Bearer abc", "Basic", "Basic ", "Basic !!!!", "Basic " + Data("nocolon".utf8).base64EncodedString(), "basic"])
    func malformedHeadersAreDeniedWithoutBcrypt(_ header: String) {
        let auth = BasicAuth(users: ["alice": "$2b$04$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"])
        guard case .denied = auth.check(authorization: header) else {
            Issue.record("\(header) was not denied at once")
            return
        }
    }

    @Test func schemeIsCaseInsensitiveAndPasswordsMayHoldColons() throws {
        let parsed = try #require(BasicAuth.parse("bAsIc " + Data("u:p:w".utf8).base64EncodedString()))
        #expect(parsed.0 == "u")
        #expect(parsed.1 == Array("p:w".utf8))
    }

    @Test func overlongPasswordsAreDeniedUnhashed() {
        let auth = BasicAuth(users: ["alice": "$2b$04$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"])
        guard case .denied = auth.check(authorization: basic("alice", String(repeating: "x", count: 600))) else {
            Issue.record("a 600-byte password reached bcrypt")
            return
        }
    }

    /// The decoy hash used for unknown users is one libcrypt accepts, so an unknown user costs a
    /// real bcrypt run (no timing difference that reveals user names).
    @Test func unknownUsersCostARealBcryptRun() throws {
        let auth = BasicAuth(users: ["alice": try bcrypt("secret", cost: 6)])
        guard case .verify(let credentials) = auth.check(authorization: basic("mallory", "secret")) else {
            Issue.record("unknown user not checked")
            return
        }
        #expect(credentials.hash.hasPrefix("$2b$06$"))
        #expect(try Crypt.hash(password: Array("x".utf8), setting: credentials.hash) != nil)
        #expect(!auth.verify(credentials))
    }

    /// Hashes made elsewhere (Python's crypt, like htpasswd -B: $2b$) verify here.
    @Test func acceptsHashesFromAnotherImplementation() throws {
        let script = "import crypt; print(crypt.crypt('pa ss', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))"
        let result = try runCommand(["/usr/bin/python3", "-W", "ignore", "-c", script], timeout: 30)
        let hash = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(BasicAuth.isBcryptHash(hash), "\(hash)")
        let auth = BasicAuth(users: ["carol": hash])
        #expect(authenticate(auth, basic("carol", "pa ss")))
        #expect(!authenticate(auth, basic("carol", "pass")))
    }

    @Test func sha256MatchesFIPSVectors() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.digest([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.digest(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA256.digest(long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func unauthorizedCarriesTheChallenge() {
        let response = BasicAuth.unauthorized
        #expect(response.status.code == 401)
        #expect(response.headers.contains { $0.name == "WWW-Authenticate" && $0.value.hasPrefix("Basic realm=\"stack_exporter\"") })
    }
}
