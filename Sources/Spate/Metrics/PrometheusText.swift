// The Prometheus text exposition format (version 0.0.4) — the one writer of
// it: `spate metrics` prints and /metrics serves what `render` writes.
//
//     # HELP spate_stream_records Records the stream keeps now (after retention).
//     # TYPE spate_stream_records gauge
//     spate_stream_records{stream="tx"} 1234
//
// A family is a name, help, type and samples; every family gets its HELP and
// TYPE lines, even with no samples yet, so a scraper learns every name at
// once. A summary's sample is its `_sum` and `_count`. Label names are made
// valid ([A-Za-z0-9_]); label values are escaped (backslash, quote, newline).

/// One metric family of the exposition.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case counter, gauge, summary
    }

    /// One sample: labels and a value (a summary's: its sum and count).
    public struct Sample: Sendable, Equatable {
        public var labels: [Label]
        public var value: Double
        /// A summary's observation count (its value is their sum).
        public var count: Int64

        public init(labels: [Label] = [], value: Double, count: Int64 = 0) {
            self.labels = labels
            self.value = value
            self.count = count
        }
    }

    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(name: String, help: String, kind: Kind, samples: [Sample] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

/// Writes families in the Prometheus text format.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        assert(Set(families.map(\.name)).count == families.count, "a family is exported once")
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                let labels = sample.labels.isEmpty
                    ? "" : "{" + sample.labels.map { "\(labelName($0.name))=\"\(labelValue($0.value))\"" }.joined(separator: ",") + "}"
                if family.kind == .summary {
                    out += "\(family.name)_sum\(labels) \(number(sample.value))\n\(family.name)_count\(labels) \(sample.count)\n"
                } else {
                    out += "\(family.name)\(labels) \(number(sample.value))\n"
                }
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func labelName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }

    static func labelValue(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
