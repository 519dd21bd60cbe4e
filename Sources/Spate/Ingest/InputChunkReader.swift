// Reads a bulk ingest's input (a file descriptor) into chunks of whole lines,
// the unit the ingest's threads pass along: a chunk is about `bytesTarget`
// bytes and ends at a line ending, so lines are counted, checked and framed on
// any thread without looking at a neighbour chunk.
//
// Two kinds of input never reach a chunk whole:
// - The first `skipLines` lines (a resume after a partial failure) are read and
//   dropped here.
// - A line longer than any record can be (over 1 MiB): its first 1 MiB + 1
//   bytes form a chunk of their own, so that it is rejected with its line
//   number and its real size is never held in memory; the rest of it is read
//   and dropped.
//
// Memory: each chunk's buffer holds `bytesTarget` plus one longest line; the
// reader's own carry buffer holds one partial line between chunks.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// A run of whole input lines in one buffer.
final class InputChunk: @unchecked Sendable {
    /// Bytes a chunk is filled to before it is cut at its last line ending.
    static let bytesTarget = 1 << 20
    /// The buffer: the target, plus one longest line, plus a CR and an LF.
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytesTarget + RecordFrame.recordBytesMax + 2, alignment: 16)
    /// Bytes of whole lines in `buffer`.
    var byteCount = 0
    /// Position of the chunk in the input (0, 1, 2, …).
    var index = 0

    deinit { buffer.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[0..<byteCount]) }
}

/// Cuts an input into chunks of whole lines.
final class InputChunkReader {
    private let fd: Int32
    private var skipLinesLeft: Int
    /// Bytes read but not yet in a chunk: the start of a line.
    private let carry = UnsafeMutableRawBufferPointer.allocate(byteCount: RecordFrame.recordBytesMax + 2, alignment: 16)
    private var carryCount = 0
    /// The rest of an over-long line is being dropped.
    private var droppingLine = false
    private var endOfInput = false
    /// `shouldStop` said to stop while the reader waited for input: the lines
    /// read whole go on, the rest of an unfinished line is dropped (a resume
    /// with --skip-lines reads it again).
    private(set) var interrupted = false
    /// Asked while waiting for a pipe or a terminal (a regular file never keeps the reader waiting).
    private let shouldStop: (() -> Bool)?
    private let inputWaits: Bool
    private var nextIndex = 0
    /// Bytes read from the input so far.
    private(set) var bytesRead = 0
    /// Lines dropped by `skipLines` (fewer than asked when the input is shorter).
    private(set) var linesSkipped = 0

    init(fd: Int32, skipLines: Int, shouldStop: (() -> Bool)? = nil) {
        self.fd = fd
        skipLinesLeft = skipLines
        self.shouldStop = shouldStop
        inputWaits = shouldStop != nil && InputWait.canWait(fd)
    }

    deinit { carry.deallocate() }

    /// Fills `chunk` with the next lines; false when the input has none left.
    func next(into chunk: InputChunk) throws(SpateError) -> Bool {
        let buffer = chunk.buffer
        var filled = carryCount
        if carryCount > 0 { buffer.baseAddress!.copyMemory(from: carry.baseAddress!, byteCount: carryCount) }
        carryCount = 0
        while true {
            filled = dropSkippedInput(buffer, filled)
            if endOfInput || interrupted { break }
            // Enough: the target, and a line ending (or more than a record can be).
            if !droppingLine && skipLinesLeft == 0 && filled >= InputChunk.bytesTarget
                && (filled > RecordFrame.recordBytesMax || memchr(buffer.baseAddress!, 0x0A, filled) != nil) { break }
            filled += try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        }
        if interrupted {
            // Whole lines only; nothing after them.
            carryCount = 0
            guard !droppingLine, let end = lastLineEnd(buffer, filled) else { return false }
            chunk.index = nextIndex
            nextIndex += 1
            chunk.byteCount = end
            return true
        }
        if filled == 0 { return false }
        chunk.index = nextIndex
        nextIndex += 1
        if endOfInput {
            chunk.byteCount = filled
            return true
        }
        guard let end = lastLineEnd(buffer, filled) else {
            // One line, longer than a record can be: pass its head, drop the rest.
            chunk.byteCount = RecordFrame.recordBytesMax + 1
            droppingLine = true
            return true
        }
        let rest = filled - end
        if rest > RecordFrame.recordBytesMax {
            // The lines up to here now; the over-long line after them is the next chunk.
            chunk.byteCount = end
            carry.baseAddress!.copyMemory(from: buffer.baseAddress! + end, byteCount: RecordFrame.recordBytesMax + 1)
            carryCount = RecordFrame.recordBytesMax + 1
            return true
        }
        chunk.byteCount = end
        if rest > 0 { carry.baseAddress!.copyMemory(from: buffer.baseAddress! + end, byteCount: rest) }
        carryCount = rest
        return true
    }

    /// The offset just past the last line ending in `buffer[0..<filled]`, if any.
    private func lastLineEnd(_ buffer: UnsafeMutableRawBufferPointer, _ filled: Int) -> Int? {
        var i = filled
        while i > 0 {
            if buffer[i - 1] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    /// Drops, from the front of `buffer[0..<filled]`, the lines still to skip
    /// and the rest of an over-long line; returns the bytes left.
    private func dropSkippedInput(_ buffer: UnsafeMutableRawBufferPointer, _ filled: Int) -> Int {
        var start = 0
        while start < filled && (droppingLine || skipLinesLeft > 0) {
            guard let newline = memchr(buffer.baseAddress! + start, 0x0A, filled - start) else {
                start = filled
                break
            }
            start = newline - UnsafeMutableRawPointer(buffer.baseAddress!) + 1
            if droppingLine {
                droppingLine = false
            } else {
                skipLinesLeft -= 1
                linesSkipped += 1
            }
        }
        if endOfInput && start == filled && skipLinesLeft > 0 && filled > 0 && buffer[filled - 1] != 0x0A {
            // A last line without a line ending counts as a line.
            skipLinesLeft -= 1
            linesSkipped += 1
        }
        guard start > 0 else { return filled }
        if start < filled { memmove(buffer.baseAddress!, buffer.baseAddress! + start, filled - start) }
        return filled - start
    }

    /// Reads what is available into `space`; returns the bytes read (0 at the end).
    private func read(into space: UnsafeMutableRawBufferPointer) throws(SpateError) -> Int {
        if inputWaits, let shouldStop, !InputWait.waitForInput(fd, shouldStop: shouldStop) {
            interrupted = true
            return 0
        }
        while true {
            let n = Glibc.read(fd, space.baseAddress!, space.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("read input: \(String(cString: strerror(errno)))")
            }
            if n == 0 { endOfInput = true }
            bytesRead += n
            return n
        }
    }
}
