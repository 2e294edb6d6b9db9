/// The small HTML page at `/`: what this is, where the metrics are, which collectors run.
enum LandingPage {
    static func html(telemetryPath: String, collectors: [String]) -> String {
        let items = collectors.sorted().map { "<li><a href=\"\(escape(telemetryPath))?collect[]=\($0)\">\($0)</a></li>" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>stack_exporter</title></head>
        <body>
        <h1>stack_exporter</h1>
        <p>Host, container, PostgreSQL and TLS certificate metrics for Prometheus. Version \(BuildInfo.version).</p>
        <ul>
        <li><a href="\(escape(telemetryPath))">Metrics</a></li>
        <li><a href="/-/healthy">Health</a></li>
        <li><a href="/-/ready">Readiness</a></li>
        </ul>
        <h2>Enabled collectors</h2>
        <ul>\(items.isEmpty ? "<li>none</li>" : items)</ul>
        </body>
        </html>

        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
