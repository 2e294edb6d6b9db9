import Synchronization

/// The byte stream of one session: the socket itself, or a TLS session over it (rediss://). Both
/// answer the same non-blocking steps, so `RedisSession` never knows which it has.
struct RedisTransport {
    let socket: Socket
    var tls: OpenSSLStream?

    var isHandshaking: Bool { tls?.isHandshaking ?? false }

    func handshake() -> RedisTransportStep {
        guard let tls else { return .transferred(0) }
        return RedisTransportStep(tls.handshake())
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> RedisTransportStep {
        if let tls { return RedisTransportStep(tls.read(into: buffer)) }
        switch socket.read(into: buffer) {
        case .transferred(let n): return .transferred(n)
        case .wouldBlock: return .wantRead
        case .closed: return .closed
        case .failed(let error): return .failed(.io(error))
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> RedisTransportStep {
        if let tls { return RedisTransportStep(tls.write(bytes)) }
        switch socket.write(bytes) {
        case .transferred(let n): return .transferred(n)
        case .wouldBlock: return .wantWrite
        case .closed: return .closed
        case .failed(let error): return .failed(.io(error))
        }
    }

    func close() {
        tls?.shutdown()
        socket.close()
    }

    static func startConnect(host: String, port: UInt16) throws(RedisClientError) -> (Socket, Bool) {
        do { return try Socket.startConnect(host: host, port: port) } catch { throw .connect(error) }
    }

    static func connect(unixPath: String, deadline: MonotonicTime) throws(RedisClientError) -> Socket {
        do { return try Socket.connect(unixPath: unixPath, deadline: deadline) } catch { throw .connect(error) }
    }
}

enum RedisTransportStep: Equatable {
    case transferred(Int)
    case wantRead
    case wantWrite
    case closed
    case failed(RedisClientError)

    init(_ step: OpenSSLStream.Step) {
        switch step {
        case .transferred(let n): self = .transferred(n)
        case .wantRead: self = .wantRead
        case .wantWrite: self = .wantWrite
        case .closed: self = .closed
        case .failed(let message): self = .failed(.tls(message))
        }
    }
}

/// The TLS settings of the rediss:// targets, and the client context they share. The context is
/// made on first use, so an exporter without rediss:// targets never loads OpenSSL.
final class RedisTLSContext: Sendable {
    let caFile: String?
    let certificateFile: String?
    let keyFile: String?
    let verify: Bool
    private let context = Mutex<OpenSSL.ClientContext?>(nil)

    init(caFile: String?, certificateFile: String?, keyFile: String?, verify: Bool) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.verify = verify
    }

    func stream(fd: Int32, serverName: String) throws(RedisClientError) -> OpenSSLStream {
        do throws(TLSProbeError) {
            return try OpenSSLStream(context: try clientContext(), fd: fd, serverName: serverName, verify: verify)
        } catch {
            throw .tls(error.description)
        }
    }

    private func clientContext() throws(TLSProbeError) -> OpenSSL.ClientContext {
        let result = context.withLock { slot -> Result<OpenSSL.ClientContext, TLSProbeError> in
            if let slot { return .success(slot) }
            do throws(TLSProbeError) {
                let made = try OpenSSL.ClientContext(caFile: caFile)
                if let certificateFile, let keyFile { try made.useClientCertificate(certificateFile: certificateFile, keyFile: keyFile) }
                slot = made
                return .success(made)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
