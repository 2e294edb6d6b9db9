/// /proc/pressure/{cpu,io,memory,irq} (Documentation/accounting/psi.rst):
/// `some avg10=0.00 avg60=0.00 avg300=0.00 total=12345` and a `full` line; totals in µs.
struct PressureTotals: Equatable {
    var someSeconds: Double?
    var fullSeconds: Double?
}

func parsePressure(_ text: String, file: String) throws(ParseError) -> PressureTotals {
    try text.withBytes { bytes throws(ParseError) -> PressureTotals in
        var scanner = ByteFields(bytes)
        var fields: [Range<Int>] = []
        fields.reserveCapacity(5)
        var totals = PressureTotals()
        while scanner.nextLine(into: &fields) {
            guard let kind = fields.first else { continue }
            let some = scanner.equals(kind, "some")
            guard some || scanner.equals(kind, "full"),
                  let total = fields.first(where: { scanner.hasPrefix($0, "total=") }),
                  let micros = scanner.number(total.lowerBound + 6..<total.upperBound)
            else { throw ParseError(file: file, line: scanner.lineNumber, text: scanner.line(around: kind)) }
            if some { totals.someSeconds = micros / 1e6 } else { totals.fullSeconds = micros / 1e6 }
        }
        if totals.someSeconds == nil && totals.fullSeconds == nil { throw ParseError(file: file, line: 1, text: text) }
        return totals
    }
}
