// The frame and index formats: round trips, and every way a frame can be bad.

@testable import SpateLog
import Testing

@Suite struct RecordFormatTests {
    func frame(sequence: UInt64 = 7, arrival: Int64 = 1234, key: String = "user1", payload: String = "{\"a\":1}") -> [UInt8] {
        let keyBytes = Array(key.utf8), payloadBytes = Array(payload.utf8)
        var out = [UInt8](repeating: 0, count: RecordFrame.frameBytes(keyCount: keyBytes.count, payloadCount: payloadBytes.count))
        out.withUnsafeMutableBytes { raw in
            keyBytes.withUnsafeBytes { k in
                payloadBytes.withUnsafeBytes { p in
                    _ = RecordFrame.encode(into: raw.baseAddress!, sequence: sequence, arrivalMs: arrival, key: k, payload: p)
                }
            }
        }
        return out
    }

    func decode(_ bytes: [UInt8]) -> RecordFrame.Decoded {
        bytes.withUnsafeBytes { RecordFrame.decode($0, at: 0) }
    }

    @Test func frameRoundTrip() throws {
        let bytes = frame()
        #expect(bytes.count == 8 + 18 + 5 + 7)
        guard case let .record(d, length) = decode(bytes) else { Issue.record("not decoded"); return }
        #expect(length == bytes.count)
        #expect(d.sequence == 7 && d.arrivalMs == 1234)
        #expect(Array(bytes[Int(d.keyStart)..<Int(d.keyStart + d.keyCount)]) == Array("user1".utf8))
        #expect(Array(bytes[Int(d.payloadStart)..<Int(d.payloadStart + d.payloadCount)]) == Array("{\"a\":1}".utf8))
    }

    @Test func everyFlippedBitIsDetected() {
        let good = frame()
        for byte in 0..<good.count {
            for bit in 0..<8 {
                var bad = good
                bad[byte] ^= UInt8(1 << bit)
                switch decode(bad) {
                case .record: Issue.record("flip of byte \(byte) bit \(bit) went unnoticed")
                case .invalid, .incomplete: break
                }
            }
        }
    }

    @Test func truncatedFrameIsIncomplete() {
        let good = frame()
        for cut in 0..<good.count {
            guard case .incomplete = decode(Array(good[0..<cut])) else {
                Issue.record("cut at \(cut) not incomplete"); continue
            }
        }
    }

    @Test func zeroedAndHugeLengthsAreInvalid() {
        guard case .invalid = decode([UInt8](repeating: 0, count: 64)) else { Issue.record("zeros accepted"); return }
        var huge = frame()
        huge[3] = 0x7F
        guard case .invalid = decode(huge) else { Issue.record("huge length accepted"); return }
    }

    @Test func indexRoundTripAndSearch() throws {
        var index = SegmentIndex(firstSequence: 100)
        var position = 0
        for i in 0..<1000 {
            index.add(sequence: 100 + UInt64(i), arrivalMs: 5000 + Int64(i / 10), position: position, frameLength: 100)
            position += 100
        }
        #expect(index.recordCount == 1000)
        #expect(index.entries.count == 25)  // one per 4 KiB: every 41st record
        let decoded = try #require(SegmentIndex.decode(index.encoded()))
        #expect(decoded == index)
        // The scan start never lies after the target.
        for target in stride(from: UInt64(100), to: 1100, by: 37) {
            let start = index.scanStart(forSequence: target)
            #expect(start.sequence <= target && target - start.sequence <= 41)
            #expect(start.position == Int(start.sequence - 100) * 100)
        }
        let atTime = index.scanStart(forTime: 5050)
        #expect(atTime.sequence <= 600)
        #expect(index.scanStart(forTime: 0) == (0, 100))
        var corrupt = index.encoded()
        corrupt[70] ^= 1
        #expect(SegmentIndex.decode(corrupt) == nil)
    }

    @Test func batchEnforcesLimits() throws {
        var batch = AppendBatch()
        #expect(throws: LogError.recordTooLarge(bytes: (1 << 20) + 1, limit: 1 << 20)) {
            try batch.append(key: [], payload: [UInt8](repeating: 1, count: (1 << 20) + 1))
        }
        #expect(throws: LogError.partitionKeyTooLong(bytes: 1025, limit: 1024)) {
            try batch.append(key: [UInt8](repeating: 65, count: 1025), payload: [])
        }
        // A String key is measured in UTF-8 bytes, read in place (513 "é" are 1,026 bytes).
        #expect(throws: LogError.partitionKeyTooLong(bytes: 1026, limit: 1024)) {
            try batch.append(key: String(repeating: "é", count: 513), payload: [])
        }
        try batch.append(key: [], payload: [UInt8](repeating: 1, count: 1 << 20))
        #expect(batch.count == 1)
        var small = AppendBatch()
        try small.append(key: "clé", payload: Array("{}".utf8))
        small.withRecord(0) { key, payload in
            #expect(Array(key) == Array("clé".utf8))
            #expect(Array(payload) == Array("{}".utf8))
        }
    }
}
