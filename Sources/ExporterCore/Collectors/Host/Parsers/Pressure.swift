/// /proc/pressure/{cpu,io,memory,irq} (Documentation/accounting/psi.rst):
/// `some avg10=0.00 avg60=0.00 avg300=0.00 total=12345` and a `full` line; totals in µs.
struct PressureTotals: Equatable {
    var someSeconds: Double?
    var fullSeconds: Double?
}

func parsePressure(_ text: String, file: String) throws(ParseError) -> PressureTotals {
    var totals = PressureTotals()
    var lineNumber = 0
    for line in ProcText.allLines(text) {
        lineNumber += 1
        let f = ProcText.fields(line)
        guard let kind = f.first else { continue }
        guard kind == "some" || kind == "full",
              let total = f.first(where: { $0.hasPrefix("total=") }),
              let micros = ProcText.number(total.dropFirst(6))
        else { throw ParseError(file: file, line: lineNumber, text: line) }
        if kind == "some" { totals.someSeconds = micros / 1e6 } else { totals.fullSeconds = micros / 1e6 }
    }
    if totals.someSeconds == nil && totals.fullSeconds == nil { throw ParseError(file: file, line: 1, text: text) }
    return totals
}
