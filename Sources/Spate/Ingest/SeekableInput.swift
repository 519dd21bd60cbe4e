// The input of a strict ingest (`spate put --strict`), which is read twice:
// once to check every line, once to append. A regular file is rewound; a pipe
// is first copied to an unlinked temporary file, which is then read twice.

#if canImport(Glibc)
import Glibc
#endif

/// The input of a strict ingest, which is read twice: a regular file is
/// rewound; a pipe is first copied to a temporary file.
final class SeekableInput {
    let fd: Int32
    private let ownsDescriptor: Bool
    /// `shouldStop` said to stop while a pipe was being copied: the input is incomplete.
    private(set) var interrupted = false

    deinit { if ownsDescriptor { close(fd) } }

    init(fd input: Int32, shouldStop: (() -> Bool)? = nil) throws(SpateError) {
        var st = stat()
        if fstat(input, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && lseek(input, 0, SEEK_CUR) >= 0 {
            fd = input
            ownsDescriptor = false
            return
        }
        var template = Array("/tmp/spate-put-XXXXXX".utf8CString)
        let spool = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard spool >= 0 else { throw .io("cannot create a temporary file for --strict: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            if let shouldStop, !InputWait.waitForInput(input, shouldStop: shouldStop) {
                interrupted = true
                break
            }
            let n = read(input, buffer.baseAddress!, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .io("read input: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            var done = 0
            while done < n {
                let w = write(spool, buffer.baseAddress! + done, n - done)
                guard w > 0 else { throw .io("write temporary file: \(String(cString: strerror(errno)))") }
                done += w
            }
        }
        fd = spool
        ownsDescriptor = true
        try rewind()
    }

    func rewind() throws(SpateError) {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw .io("cannot rewind input: \(String(cString: strerror(errno)))") }
    }
}
