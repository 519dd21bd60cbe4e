// CREATE CHANNEL checked and turned into a catalog row. Options per type:
//   WEBHOOK  url = 'https://host/path' or 'http://host:port/path' (required), headers = 'K: V; K2: V2',
//            format = 'json' | 'slack' | 'pagerduty' (default json), routing_key = '…' (pagerduty: required),
//            ca_file = 'ca.pem' (https only: trust these CAs instead of the system's; stored absolute)
//   EXEC     command = '/absolute/program' (required, executable), args = 'a b c' (split on spaces)
//   FILE     path = 'alerts.jsonl' (required; relative to the current directory, stored absolute)
//   STDOUT   —
//   every type: timeout = '5 seconds' (1 ms … 10 minutes; default 5 s, EXEC 10 s),
//               rate_limit = 60 (deliveries a minute, 1 … 100000),
//               max_attempts = 8 (1 … 20)
// Errors are SQL errors located at the option (or the name) the user wrote.

import SpateCatalog
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

public enum ChannelDefinition {
    public static let defaultTimeoutMs: Int64 = 5_000
    public static let defaultExecTimeoutMs: Int64 = 10_000
    public static let defaultRateLimitPerMinute: Int64 = 60
    public static let defaultMaxAttempts: Int64 = 8
    static let timeoutMsRange: ClosedRange<Int64> = 1...600_000

    public static func compile(_ statement: CreateChannelStatement, workingDirectory: String, nowMs: Int64) throws(SQLError) -> ChannelRecord {
        let type: ChannelType
        switch statement.channelType {
        case .webhook: type = .webhook
        case .exec: type = .exec
        case .file: type = .file
        case .stdout: type = .stdout
        }
        let allowed: [String]
        switch type {
        case .webhook: allowed = ["url", "headers", "format", "routing_key", "ca_file"]
        case .exec: allowed = ["command", "args"]
        case .file: allowed = ["path"]
        case .stdout: allowed = []
        }
        let known = allowed + ["timeout", "rate_limit", "max_attempts"]
        var record = ChannelRecord(name: statement.name.value, type: type, target: nil,
                                   timeoutMs: type == .exec ? defaultExecTimeoutMs : defaultTimeoutMs,
                                   rateLimitPerMinute: defaultRateLimitPerMinute, maxAttempts: defaultMaxAttempts,
                                   definition: statement.description, createdMs: nowMs)
        for option in statement.options {
            let name = option.name.value.lowercased()
            let at = option.valueRange.start
            guard known.contains(name) else {
                let hint = NameSuggester.nearest(to: option.name.value, in: known).map { " (did you mean \($0)?)" } ?? ""
                throw SQLError(.invalidValue, "unknown option '\(option.name.value)' for a \(statement.channelType.rawValue) channel\(hint); options: \(known.joined(separator: ", "))",
                               at: option.name.range.start)
            }
            switch (name, option.value) {
            case let ("url", .string(text)):
                guard HTTPURL.parse(text) != nil else {
                    throw SQLError(.invalidValue, "url must be https://host[:port]/path or http://host[:port]/path, not '\(text)'", at: at)
                }
                record.target = text
            case let ("format", .string(text)):
                guard let format = WebhookFormat(rawValue: text.lowercased()) else {
                    throw SQLError(.invalidValue, "format must be one of \(WebhookFormat.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")), not '\(text)'", at: at)
                }
                record.format = format
            case let ("routing_key", .string(text)):
                guard !text.isEmpty, text.utf8.count <= 256, !text.contains(where: { $0.isNewline }) else {
                    throw SQLError(.invalidValue, "routing_key is the PagerDuty integration key (at most 256 characters)", at: at)
                }
                record.routingKey = text
            case let ("ca_file", .string(text)):
                let path = absolutePath(text, in: workingDirectory)
                guard access(path, R_OK) == 0 else {
                    throw SQLError(.invalidValue, "ca_file '\(text)' is not a readable file here (a PEM file of CA certificates)", at: at)
                }
                record.caFile = path
            case let ("headers", .string(text)):
                for entry in text.split(separator: ";") where !entry.contains(":") || entry.contains("\r") || entry.contains("\n") {
                    throw SQLError(.invalidValue, "headers are 'Name: value; Name2: value2'; '\(entry)' has no ':'", at: at)
                }
                record.headers = text
            case let ("command", .string(text)):
                guard text.hasPrefix("/") else {
                    throw SQLError(.invalidValue, "command must be an absolute path such as '/usr/sbin/sendmail' (it runs without a shell)", at: at)
                }
                guard access(text, X_OK) == 0 else {
                    throw SQLError(.invalidValue, "command '\(text)' is not an executable file here", at: at)
                }
                record.target = text
            case let ("args", .string(text)):
                record.args = text
            case let ("path", .string(text)):
                guard !text.isEmpty else { throw SQLError(.invalidValue, "path must name a file", at: at) }
                record.target = absolutePath(text, in: workingDirectory)
            case let ("timeout", .string(text)):
                guard let ms = DurationOption.milliseconds(text), timeoutMsRange.contains(ms) else {
                    throw SQLError(.invalidValue, "timeout must be a duration from 1 ms to 10 minutes, e.g. '5 seconds'", at: at)
                }
                record.timeoutMs = ms
            case let ("rate_limit", .integer(n)) where (1...100_000).contains(n):
                record.rateLimitPerMinute = n
            case let ("max_attempts", .integer(n)) where (1...20).contains(n):
                record.maxAttempts = n
            case ("rate_limit", _):
                throw SQLError(.invalidValue, "rate_limit is deliveries a minute: a whole number from 1 to 100000", at: at)
            case ("max_attempts", _):
                throw SQLError(.invalidValue, "max_attempts is a whole number from 1 to 20", at: at)
            default:
                throw SQLError(.invalidValue, "option \(name) takes a string in quotes", at: at)
            }
        }
        if record.target == nil, let required = allowed.first {
            throw SQLError(.invalidValue, "a \(statement.channelType.rawValue) channel needs WITH (\(required) = '…')", at: statement.name.range.start)
        }
        if record.format == .pagerduty && record.routingKey == nil {
            throw SQLError(.invalidValue, "a pagerduty webhook needs WITH (routing_key = '…'): the integration key of a PagerDuty service", at: statement.name.range.start)
        }
        if record.routingKey != nil && record.format != .pagerduty {
            throw SQLError(.invalidValue, "routing_key is for format = 'pagerduty' only", at: statement.name.range.start)
        }
        if record.caFile != nil && HTTPURL.parse(record.target ?? "")?.isHTTPS != true {
            throw SQLError(.invalidValue, "ca_file is for https:// URLs only", at: statement.name.range.start)
        }
        return record
    }
}

/// `path` as given when absolute, else under `directory` (channel files are stored absolute).
private func absolutePath(_ path: String, in directory: String) -> String {
    path.hasPrefix("/") ? path : (directory.hasSuffix("/") ? directory : directory + "/") + path
}

/// Durations written in option strings: '5 seconds', '500 ms', '2 minutes', '1m30s'.
enum DurationOption {
    static func milliseconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var rest = Substring(text.lowercased())
        var parts = 0
        while true {
            rest = rest.drop(while: { $0 == " " })
            if rest.isEmpty { break }
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard let amount = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop(while: { $0 == " " })
            let word = rest.prefix(while: { $0.isLetter })
            guard let unit = SQLDuration.Unit.named(String(word)) else { return nil }
            rest = rest.dropFirst(word.count)
            let (product, overflow) = amount.multipliedReportingOverflow(by: unit.milliseconds)
            guard !overflow, total <= Int64.max - product else { return nil }
            total += product
            parts += 1
        }
        return parts > 0 && total > 0 ? total : nil
    }
}
