extension StringProtocol {
    /// Without leading and trailing spaces and tabs: the optional whitespace (OWS) of HTTP field
    /// values (RFC 9110 §5.6.3) and of procfs `name value` lines. Other whitespace is content.
    var trimmingSpacesAndTabs: SubSequence {
        var start = startIndex, end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
        while end > start, self[index(before: end)] == " " || self[index(before: end)] == "\t" { end = index(before: end) }
        return self[start..<end]
    }
}
