// EXPLAIN: the operator pipeline a plan compiles to, one operator a line, with
// field and aggregate names in place of slot numbers. Each line names the type
// that runs it: StreamCursor (SpateLog), RecordDecoder, WindowAggregator (and
// its Watermark), DetectorStage, OrderLimit — one file each. Filter, Project
// and OutputFilter are compiled expressions (Pipeline in PipelineBuilder.swift).

import SpateLog
import SpateSQL

public enum PlanExplainer {
    /// The pipeline of `plan` as text.
    public static func explain(_ plan: QueryPlan) -> String {
        let namer = SlotNamer(plan: plan)
        var lines: [String] = []
        switch plan.source {
        case let .stream(name):
            let fields = plan.fields.map { "\($0.dottedPath) \($0.type)" }.joined(separator: ", ")
            lines.append("StreamCursor \(name) from \(describe(plan.start)) \(plan.end.map(describe) ?? "and tail the log")")
            lines.append("  → RecordDecoder JSON fields [\(fields.isEmpty ? "none" : fields)]" + (plan.selectsWholeRecord ? " + whole record" : ""))
        case let .catalogTable(name, sql):
            lines.append("SQLite (catalog table \(name)): \(sql)")
        case .none:
            lines.append("ConstantEvaluator (no FROM: one row)")
        }
        if let filter = plan.filter { lines.append("  → Filter \(namer.name(filter))") }
        if plan.isAggregating {
            let window: String
            switch plan.window?.kind {
            case let .tumbling(size)?: window = "TUMBLING size \(duration(size))"
            case let .hopping(size, advance)?: window = "HOPPING size \(duration(size)) advance \(duration(advance))"
            case let .session(gap)?: window = "SESSION gap \(duration(gap))"
            case nil: window = "no window"
            }
            let grace = plan.window.map { " grace \(duration($0.graceMs))" } ?? ""
            let time: String
            switch plan.eventTime {
            case .arrival: time = "arrival time"
            case let .field(i): time = "event time \(plan.fields[i].dottedPath)"
            }
            lines.append("  → WindowAggregator \(window)\(grace) on \(time), Watermark = per-shard max \(time) − grace")
            lines.append("      keys [\(plan.groupKeys.map(namer.name).joined(separator: ", "))]")
            lines.append("      aggregates [\(plan.aggregates.map(namer.aggregate).joined(separator: ", "))]")
            lines.append("      emit \(plan.emit == .final ? "FINAL (when the watermark passes a window's end)" : "CHANGES (after each batch)")")
        }
        if !plan.detectors.isEmpty {
            let detectors = plan.detectors.map { detector in
                let keys = detector.partitionBy.isEmpty ? "" : " PARTITION BY " + detector.partitionBy.map(namer.name).joined(separator: ", ")
                return "\(detector.name)(\(detector.arguments.map(namer.name).joined(separator: ", "))\(keys))"
            }
            lines.append("  → DetectorStage [\(detectors.joined(separator: ", "))]")
        }
        lines.append("  → Project [\(plan.outputs.map { "\($0.name) = \(namer.name($0.expression))" }.joined(separator: ", "))]")
        if let outputFilter = plan.outputFilter { lines.append("  → OutputFilter \(namer.name(outputFilter))") }
        if !plan.orderBy.isEmpty || plan.limit != nil {
            let order = plan.orderBy.isEmpty ? ""
                : "ORDER BY \(plan.orderBy.map { plan.outputs[$0.output].name + ($0.descending ? " DESC" : "") }.joined(separator: ", "))"
            let limit = plan.limit.map { "LIMIT \($0)" } ?? ""
            lines.append("  → OrderLimit " + [order, limit].filter { !$0.isEmpty }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ start: RangeStart) -> String {
        switch start {
        case .earliest: return "EARLIEST"
        case .latest: return "LATEST"
        case let .time(ms): return "'\(UTCTimestamp.format(ms))'"
        case let .ago(ms): return "\(duration(ms)) ago"
        }
    }

    static func describe(_ end: RangeEnd) -> String {
        switch end {
        case .now: return "until NOW (then end)"
        case let .time(ms): return "until '\(UTCTimestamp.format(ms))'"
        case let .ago(ms): return "until \(duration(ms)) ago"
        }
    }

    static func duration(_ ms: Int64) -> String {
        for (scale, unit) in [(Int64(86_400_000), "d"), (3_600_000, "h"), (60_000, "min"), (1000, "s")] where ms % scale == 0 && ms >= scale {
            return "\(ms / scale)\(unit)"
        }
        return "\(ms)ms"
    }
}

/// Names slots of a plan's expressions: fields by path, aggregates by call.
struct SlotNamer {
    let plan: QueryPlan

    func aggregate(_ a: AggregatePlan) -> String {
        let argument = a.argument.map(name) ?? "*"
        let function: String
        switch a.function {
        case .countStar, .countDistinct: function = "COUNT"
        default: function = a.function.name
        }
        return "\(function)(\(a.function == .countDistinct ? "DISTINCT " : "")\(argument)\(a.parameter.map { ", \($0)" } ?? ""))"
    }

    func name(_ e: BoundExpression) -> String {
        switch e.kind {
        case let .field(i): return plan.fields[i].dottedPath
        case let .groupKey(i): return name(plan.groupKeys[i])
        case let .aggregate(i): return aggregate(plan.aggregates[i])
        case let .output(i): return plan.outputs[i].name
        case let .negate(x): return "-\(name(x))"
        case let .not(x): return "NOT \(name(x))"
        case let .binary(op, l, r): return "(\(name(l)) \(op.rawValue) \(name(r)))"
        case let .isNull(x, negated): return "(\(name(x)) IS \(negated ? "NOT " : "")NULL)"
        case let .inList(x, items, negated): return "(\(name(x)) \(negated ? "NOT " : "")IN (\(items.map(name).joined(separator: ", "))))"
        case let .like(x, p, negated): return "(\(name(x)) \(negated ? "NOT " : "")LIKE \(name(p)))"
        case let .cast(x, t): return "CAST(\(name(x)) AS \(t))"
        case let .call(f, args): return "\(f.name)(\(args.map(name).joined(separator: ", ")))"
        case let .caseWhen(arms, elseResult):
            return "CASE " + arms.map { "WHEN \(name($0.condition)) THEN \(name($0.result))" }.joined(separator: " ")
                + (elseResult.map { " ELSE \(name($0))" } ?? "") + " END"
        default: return e.description
        }
    }
}
