/// An HTTP status code with its reason phrase (RFC 9110 §15).
public struct HTTPStatus: Sendable, Equatable {
    public let code: Int
    public let reason: String

    public static let ok = HTTPStatus(code: 200, reason: "OK")
    public static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    public static let unauthorized = HTTPStatus(code: 401, reason: "Unauthorized")
    public static let forbidden = HTTPStatus(code: 403, reason: "Forbidden")
    public static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    public static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    public static let requestTimeout = HTTPStatus(code: 408, reason: "Request Timeout")
    public static let contentTooLarge = HTTPStatus(code: 413, reason: "Content Too Large")
    public static let tooManyRequests = HTTPStatus(code: 429, reason: "Too Many Requests")
    public static let headersTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    public static let internalServerError = HTTPStatus(code: 500, reason: "Internal Server Error")
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    public static let versionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")
}

public struct HTTPHeader: Sendable, Equatable {
    /// Lower-cased: field names are case-insensitive (RFC 9110 §5.1).
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A parsed request head. Requests with a body are refused, so there is no body.
public struct HTTPRequest: Sendable {
    public let method: String
    /// The target as sent.
    public let target: String
    /// The percent-decoded path.
    public let path: String
    /// Decoded query parameters in order (`collect[]` may repeat).
    public let query: [(name: String, value: String)]
    public let minorVersion: Int
    public let headers: [HTTPHeader]

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }

    /// HTTP/1.1 keeps the connection unless `Connection: close`; HTTP/1.0 only with `keep-alive`.
    public var keepAlive: Bool {
        let tokens = headers.filter { $0.name == "connection" }
            .flatMap { $0.value.lowercased().split(separator: ",").map { String($0.trimmingSpacesAndTabs) } }
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }
}

/// A response before serialization.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var contentType: String
    public var body: [UInt8]
    public var headers: [HTTPHeader]
    /// Close after sending (errors that leave the stream in doubt, shutdown).
    public var close: Bool

    public init(status: HTTPStatus, contentType: String = "text/plain; charset=utf-8", body: [UInt8], headers: [HTTPHeader] = [], close: Bool = false) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
        self.close = close
    }

    public static func text(_ status: HTTPStatus, _ text: String, close: Bool = false, headers: [HTTPHeader] = []) -> HTTPResponse {
        HTTPResponse(status: status, body: Array(text.utf8), headers: headers, close: close)
    }

    /// Status line and headers; the body follows unless the request was HEAD.
    func head(date: String, keepAlive: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status.code) \(status.reason)\r\nDate: \(date)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }
}
