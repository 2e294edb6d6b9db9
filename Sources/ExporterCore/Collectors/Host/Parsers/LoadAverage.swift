/// /proc/loadavg, see proc(5): `0.52 0.58 0.59 2/1234 5678`.
struct LoadAverage: Equatable {
    var one, five, fifteen: Double
}

func parseLoadAverage(_ text: String) throws(ParseError) -> LoadAverage {
    let fields = text.split(whereSeparator: \.isWhitespace)
    guard fields.count >= 3, let one = Double(fields[0]), let five = Double(fields[1]), let fifteen = Double(fields[2])
    else { throw ParseError(file: "loadavg", line: 1, text: text) }
    return LoadAverage(one: one, five: five, fifteen: fifteen)
}
