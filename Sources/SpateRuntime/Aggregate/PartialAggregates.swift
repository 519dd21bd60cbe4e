// Partial aggregates: how a windowed GROUP BY runs on several workers whose
// shards hold records of the same groups (a query not grouped by the stream's
// key). Each worker aggregates its own records and, instead of emitting a
// window when it closes, hands the group's state on as a partial — key bytes,
// window bounds, then each aggregate's state as a checkpoint saves it. One
// final aggregator of the same query folds the partials into its own groups
// (AggregateState.merge, the fold session windows use) and emits them.
//
// Exact for COUNT, SUM, AVG, MIN, MAX, STDDEV (Chan's combination of counts,
// means and squared deviations: equal up to floating-point rounding) and
// COUNT(DISTINCT) (set union). APPROX_PERCENTILE merges its samples, as its
// compactions do. FIRST and LAST follow the order records were processed in,
// which parallel workers do not share: such queries are not split
// (`partialMergeRefusal`). Session windows are not split either: a session of
// one worker may join another worker's sessions of the same key.

import SpateSQL

extension WindowAggregator {
    /// Appends the group in `slot` to `writer` as a partial for `mergePartials`.
    func savePartial(_ slot: Int32, to writer: inout StateWriter) {
        let s = Int(slot)
        keyTable.withKey(Int(slotKey[s])) { writer.write($0) }
        writer.write(slotStart[s])
        writer.write(slotEnd[s])
        for state in states { state.save(s, to: &writer) }
    }

    /// Folds the partials in `bytes` (groups `savePartial` wrote, from an
    /// aggregator of the same query) into this aggregator's groups, opening
    /// the groups it does not have.
    func mergePartials(_ bytes: [UInt8]) throws(RuntimeError) {
        guard !bytes.isEmpty else { return }
        let scratch = Int(scratchSlotMade())
        var reader = StateReader(bytes)
        func unreadable(_ error: StateError) -> RuntimeError { .internalError("a worker's partial aggregates do not read back: \(error)") }
        while !reader.isAtEnd {
            let key: [UInt8], start: Int64, end: Int64
            do throws(StateError) {
                key = try reader.readBytes()
                start = try reader.readInt64()
                end = try reader.readInt64()
            } catch { throw unreadable(error) }
            let keyId = key.withUnsafeBytes { keyTable.id(for: $0, hash: hashBytes($0)) }
            while latestStart.count <= keyId {
                latestStart.append(.min)
                latestSlot.append(-1)
            }
            let target = Int(try slot(keyId: keyId, start: start, end: end))
            for state in states {
                state.reset(scratch)
                do throws(StateError) { try state.load(scratch, from: &reader) } catch { throw unreadable(error) }
                state.merge(into: target, from: scratch)
            }
        }
    }

    /// Calls `emit` for each open group whose window `isFinal(start, end)`, in
    /// order of window end then creation, and frees it.
    func drain(where isFinal: (Int64, Int64) -> Bool, _ emit: (Int32) -> Void) {
        var final = (0..<slotLive.count).filter { slotLive[$0] && isFinal(slotStart[$0], slotEnd[$0]) }
        guard !final.isEmpty else { return }
        final.sort { (slotEnd[$0], slotSequence[$0]) < (slotEnd[$1], slotSequence[$1]) }
        for s in final { emit(Int32(s)) }
        for s in final { free(Int32(s)) }
    }

    /// The scratch slot, made on first use: past every group's slot, never live.
    private func scratchSlotMade() -> Int32 {
        if scratchSlot >= 0 { return scratchSlot }
        scratchSlot = Int32(slotKey.count)
        slotKey.append(-1)
        slotStart.append(0)
        slotEnd.append(0)
        slotSequence.append(0)
        slotLive.append(false)
        slotChanged.append(false)
        for state in states { state.ensureCapacity(slotKey.count) }
        return scratchSlot
    }
}

extension QueryPlan {
    /// Why this query cannot run on consecutive ranges of one shard (nil: it
    /// can): only a bounded query without state, or one whose aggregates merge
    /// over arrival time, is exact that way (ParallelQueryExecution).
    public var rangeSplitRefusal: String? {
        guard isBounded else { return "a query that does not end reads the shard in order" }
        if !orderBy.isEmpty || limit != nil { return "ORDER BY and LIMIT need the rows in one place" }
        if !isAggregating { return detectors.isEmpty ? nil : "a detector learns each key's values in order" }
        if let refusal = partialMergeRefusal { return refusal }
        // Ranges emit their windows as each closes them, not in time order across ranges.
        if !detectors.isEmpty { return "a detector over groups learns each key's windows in time order" }
        if window != nil, case .field = eventTime { return "event times may go down within a shard, so a range's windows are not known before it is read" }
        return nil
    }

    /// Why this query's groups cannot be aggregated by several workers and
    /// merged (nil: they can). Queries grouped by the stream's key split
    /// without merging (`stateNotSplittable`); this is for the others.
    public var partialMergeRefusal: String? {
        guard isAggregating else { return "the query does not aggregate" }
        guard isBounded else { return "a query that does not end emits in the log's order, on one worker" }
        if emit == .changes { return "EMIT CHANGES emits groups as they change, not once merged" }
        if case .session = window?.kind { return "session windows of one worker may join another's" }
        if aggregates.contains(where: { $0.function == .first || $0.function == .last }) {
            return "FIRST and LAST depend on the order records are read in"
        }
        return nil
    }
}
