/// A file whose content could not be parsed: which file, which line, and the start of the text.
public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int
    public let text: String

    public init(file: String, line: Int, text: some StringProtocol) {
        self.file = file
        self.line = line
        self.text = String(text.prefix(64))
    }

    public var description: String { "\(file):\(line): cannot parse \"\(text)\"" }
}
