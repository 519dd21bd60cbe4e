// The Prometheus text exposition format (version 0.0.4), as /metrics serves it:
//
//     # HELP spate_stream_records Records the stream keeps now.
//     # TYPE spate_stream_records gauge
//     spate_stream_records{stream="tx"} 1234
//
// A metric family is a name, help, type and samples; label values are escaped
// (backslash, quote, newline). Sources (MetricsSource) produce families; this
// file only writes them.

/// One sample of a family: labels and a value.
public struct MetricSample: Sendable {
    public var labels: [(String, String)]
    public var value: Double

    public init(labels: [(String, String)] = [], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// A metric family.
public struct MetricFamily: Sendable {
    public enum Kind: String, Sendable { case counter, gauge }
    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [MetricSample]

    public init(name: String, help: String, kind: Kind, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

/// Something that has metrics to show at /metrics. The metrics issue adds
/// sources (per-minute catalog metrics, jobs, channels) by conforming here and
/// passing them to the server.
public protocol MetricsSource: Sendable {
    /// The families now; may do file I/O (called off the event loop).
    func collect() -> [MetricFamily]
}

/// Writes families in the Prometheus text format.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ families: [MetricFamily]) -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                out += family.name
                if !sample.labels.isEmpty {
                    out += "{" + sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
                }
                out += " " + format(sample.value) + "\n"
            }
        }
        return out
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
