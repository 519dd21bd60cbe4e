// Sends one alert payload on one channel: the switch over channel types, and
// the two simple ones — FILE (the JSON as one line appended, then fsync; a new
// file's directory is fsynced too) and STDOUT (one line on the process's
// standard output, written whole with write(2)). WEBHOOK is WebhookSender
// (its body shaped by WebhookBody), EXEC is ExecSender. Every send is bounded by the channel's timeout, so a dead
// channel costs its own sender thread that long, never a job or another channel.

import SpateCatalog

#if canImport(Glibc)
import Glibc
#endif

/// Why an attempt failed.
public enum DeliveryError: Error, Equatable, CustomStringConvertible {
    case timeout(String)
    case failed(String)

    public var description: String {
        switch self {
        case let .timeout(what): return "timed out \(what)"
        case let .failed(message): return message
        }
    }
}

public enum ChannelDelivery {
    /// Sends `alert` on `channel`: its JSON object (AlertPayload), shaped by a
    /// webhook's format.
    public static func send(_ alert: StoredAlert, idempotencyKey: String, on channel: ChannelRecord) -> Result<Void, DeliveryError> {
        let payload = AlertPayload.json(alert, channel: channel.name, idempotencyKey: idempotencyKey)
        switch channel.type {
        case .webhook:
            guard let target = channel.target, HTTPURL.parse(target) != nil else {
                return .failure(.failed("not an http:// or https:// URL: \(channel.target ?? "")"))
            }
            let headers = [("Idempotency-Key", idempotencyKey)] + parseHeaders(channel.headers ?? "")
            let body = WebhookBody.make(channel.format, alert: alert, payload: payload, idempotencyKey: idempotencyKey,
                                        routingKey: channel.routingKey)
            switch WebhookSender.post(target, headers: headers, body: Array(body.utf8), caFile: channel.caFile, timeoutMs: channel.timeoutMs) {
            case let .success(status) where (200..<300).contains(status): return .success(())
            case let .success(status): return .failure(.failed("HTTP \(status) from \(target)"))
            case let .failure(error): return .failure(error)
            }
        case .exec:
            guard let command = channel.target else { return .failure(.failed("no command")) }
            return ExecSender.run(command: command, arguments: splitArguments(channel.args ?? ""),
                                  input: Array((payload + "\n").utf8), timeoutMs: channel.timeoutMs)
        case .file:
            guard let path = channel.target else { return .failure(.failed("no path")) }
            return appendLine(payload, to: path)
        case .stdout:
            return writeAll(1, Array((payload + "\n").utf8)) ? .success(()) : .failure(.failed("writing standard output: \(String(cString: strerror(errno)))"))
        }
    }

    /// 'K: V; K2: V2' → [(K, V), (K2, V2)]; entries without a colon are skipped.
    public static func parseHeaders(_ text: String) -> [(String, String)] {
        text.split(separator: ";").prefix(32).compactMap { entry in
            guard let colon = entry.firstIndex(of: ":") else { return nil }
            let name = entry[..<colon].trimmingCharacters(in: " "), value = entry[entry.index(after: colon)...].trimmingCharacters(in: " ")
            return name.isEmpty ? nil : (name, value)
        }
    }

    /// 'a b  c' → ["a", "b", "c"]: split on spaces, no quoting (never a shell).
    public static func splitArguments(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    static func appendLine(_ payload: String, to path: String) -> Result<Void, DeliveryError> {
        let existed = access(path, F_OK) == 0
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)  // a new alert file is owner-only, as the data directory
        guard fd >= 0 else { return .failure(.failed("cannot open \(path): \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        guard writeAll(fd, Array((payload + "\n").utf8)) else { return .failure(.failed("cannot write \(path): \(String(cString: strerror(errno)))")) }
        guard fsync(fd) == 0 else { return .failure(.failed("cannot fsync \(path): \(String(cString: strerror(errno)))")) }
        if !existed {
            let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
            let dfd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dfd >= 0 { fsync(dfd); close(dfd) }
        }
        return .success(())
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return false }
            written += n
        }
        return true
    }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> String {
        String(drop(while: { $0 == character }).reversed().drop(while: { $0 == character }).reversed())
    }
}
