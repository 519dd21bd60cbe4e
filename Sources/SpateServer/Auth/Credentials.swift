// The one access key the endpoint accepts, read from a file in the format of
// ~/.aws/credentials, so a user can copy theirs:
//
//     [default]                      (optional; any section header is ignored)
//     aws_access_key_id = AKIAEXAMPLE
//     aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//
// `#` and `;` start comment lines. Like ssh with a private key, the file is
// refused when its group or others may read or write it (chmod 600 fixes that).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An AWS-style access key pair.
public struct Credentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(accessKeyID: String, secretAccessKey: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// Longest credentials file read.
    static let fileBytesMax = 64 << 10

    /// Reads and checks a credentials file.
    public static func load(path: String) throws(ServerError) -> Credentials {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw .credentials("cannot read credentials file \(path): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .credentials("credentials file \(path) is not a regular file") }
        guard st.st_mode & 0o077 == 0 else {
            throw .credentials("credentials file \(path) is readable or writable by others (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        guard st.st_size <= fileBytesMax else { throw .credentials("credentials file \(path) is over \(fileBytesMax) bytes") }
        guard let file = fopen(path, "r") else {
            throw .credentials("cannot read credentials file \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        let read = bytes.isEmpty ? 0 : fread(&bytes, 1, bytes.count, file)
        return try parse(String(decoding: bytes[0..<read], as: UTF8.self), path: path)
    }

    /// Parses the text of a credentials file.
    public static func parse(_ text: String, path: String) throws(ServerError) -> Credentials {
        var keyID: String?
        var secret: String?
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || line.hasPrefix("[") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .credentials("\(path) line \(number + 1): expected `name = value`")
            }
            let name = line[..<equals].trimmingWhitespace().lowercased()
            let value = String(line[line.index(after: equals)...].trimmingWhitespace())
            switch name {
            case "aws_access_key_id": keyID = value
            case "aws_secret_access_key": secret = value
            default: throw .credentials("\(path) line \(number + 1): unknown setting '\(name)' (use aws_access_key_id and aws_secret_access_key)")
            }
        }
        guard let keyID, !keyID.isEmpty, let secret, !secret.isEmpty else {
            throw .credentials("\(path) must set both aws_access_key_id and aws_secret_access_key")
        }
        return Credentials(accessKeyID: keyID, secretAccessKey: secret)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = s.lastIndex(where: { !$0.isWhitespace })!
        return s[first...last]
    }
}
