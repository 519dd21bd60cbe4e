// Large appends start their writeback at once (LogFile.startWriteback, Linux's
// sync_file_range): on Linux the call must be found and accepted, or bulk
// appends with batch durability silently lose what it gained (spate-bench
// append, 100 B batch, one writer: 59 % → 81 % of the raw disk), and the
// records written around it read back unchanged.

import Foundation
@testable import SpateLog
import Testing

@Suite struct WritebackTests {
    @Test func theKernelTakesTheAdviceAndTheBytesStay() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/file"
        let file = try LogFile.openForWriting(path, create: true)
        let bytes = (0..<(256 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try bytes.withUnsafeBytes { try file.write($0, at: 0) }
        #if os(Linux)
        #expect(file.startWriteback(at: 0, count: bytes.count), "sync_file_range is missing or refused")
        #endif
        try file.sync()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
    }
}
