/// The state and thread count of /proc/<pid>/stat (proc(5)): `pid (comm) S ppid …`, with
/// num_threads the 20th field. comm may hold blanks and parentheses, so the fields are counted
/// from the last `)`. nil for a line that does not have that shape.
func parseTaskState(_ text: String) -> (state: Substring, threads: Double)? {
    guard let close = text.utf8.lastIndex(of: UInt8(ascii: ")")) else { return nil }
    let rest = Substring(text.utf8[text.utf8.index(after: close)...])
    let fields = ProcText.fields(ProcText.trimmed(String(rest)))
    // fields[0] is field 3 (state), so num_threads (field 20) is fields[17].
    guard fields.count > 17, fields[0].utf8.count == 1, let threads = UInt32(fields[17]) else { return nil }
    return (fields[0], Double(threads))
}
