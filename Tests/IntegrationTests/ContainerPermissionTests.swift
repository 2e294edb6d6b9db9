import Foundation
import Testing

/// A Docker socket the exporter may not open (EACCES): the containers collector fails with a clear
/// line, the rest of the scrape answers. Root ignores file modes, so the exporter runs as `nobody`
/// against a root-owned socket with mode 0600, as on a host where the exporter is not in the
/// `docker` group.
@Suite(.timeLimit(.minutes(10))) struct ContainerPermissionTests {
    @Test func permissionDeniedFailsOnlyTheContainersCollector() throws {
        let path = "/tmp/stack-exporter-eacces-\(getpid()).sock"
        let script = """
            python3 -c 'import os, socket, sys, time
            p = sys.argv[1]
            s = socket.socket(socket.AF_UNIX); s.bind(p); os.chmod(p, 0o600); s.listen(); time.sleep(30)' "$1" >/dev/null 2>&1 &
            listener=$!
            for _ in $(seq 1 50); do [ -S "$1" ] && break; sleep 0.1; done
            runuser -u nobody -- "$2" check --collector.disable-defaults --collector.containers --collector.loadavg --docker.host="unix://$1"
            status=$?
            kill -KILL $listener; rm -f "$1"  # SIGTERM may be ignored when inherited from the test runner
            exit $status
            """
        let result = try run("/bin/bash", ["-c", script, "bash", path, try Package.binary()], timeout: 40)
        // A failing collector is UNKNOWN to check (exit 3), with the collector's error in its row.
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("UNKNOWN collector · containers  failed: connect \(path): Permission denied"), "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("Permission denied"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("collector=containers") }.count == 1, "\(result.stderr)")
    }
}
