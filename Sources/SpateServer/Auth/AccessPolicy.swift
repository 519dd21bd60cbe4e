// The principals of `spate serve --credentials FILE`, read from a file in the
// format of ~/.aws/credentials grown by one setting, `allow`:
//
//     [producer]                               the principal's name
//     aws_access_key_id = AKIAPRODUCER
//     aws_secret_access_key = …
//     allow = write on transactions*           ACTION on PATTERN, comma-separated;
//                                              the line may repeat
//     [dashboard]
//     aws_access_key_id = AKIADASHBOARD
//     aws_secret_access_key = …
//     allow = read on *
//
// ACTION is read, write or admin (admin includes the other two); PATTERN is a
// stream name with `*` for any run of characters (StreamPattern). Settings
// before any section header belong to a principal named `default`. `#` and `;`
// start comment lines.
//
// Backward compatible: a file with one key pair and no `allow` line (what
// `--credentials` took before principals existed) is one principal that is
// admin on `*`. With several principals each must say what it may do: a
// missing `allow` is an error rather than a silent grant of everything.
//
// Like ssh with a private key, the file is refused when its group or others
// may read or write it (chmod 600 fixes that). Errors are one line naming the
// file and, where there is one, the line.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The principals a server accepts, by access key id.
public struct AccessPolicy: Sendable {
    /// In file order.
    public let principals: [Principal]
    private let byAccessKeyID: [String: Principal]

    /// Longest credentials file read.
    static let fileBytesMax = 64 << 10
    /// Longest principal name.
    static let nameBytesMax = 64
    /// The name of a principal whose settings come before any section header.
    public static let defaultPrincipalName = "default"

    public init(principals: [Principal]) {
        self.principals = principals
        var byAccessKeyID: [String: Principal] = [:]
        for principal in principals { byAccessKeyID[principal.credentials.accessKeyID] = principal }
        self.byAccessKeyID = byAccessKeyID
    }

    /// One principal, `default`, admin on every stream: a file of only a key pair.
    public static func single(_ credentials: Credentials) -> AccessPolicy {
        AccessPolicy(principals: [Principal(name: defaultPrincipalName, credentials: credentials,
                                            grants: [Grant(.admin, on: try! StreamPattern("*"))])])
    }

    /// The principal holding access key `accessKeyID`.
    public func principal(accessKeyID: String) -> Principal? { byAccessKeyID[accessKeyID] }

    /// Reads and checks a credentials file.
    public static func load(path: String) throws(ServerError) -> AccessPolicy {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw .credentials("cannot read credentials file \(path): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .credentials("credentials file \(path) is not a regular file") }
        guard st.st_mode & 0o077 == 0 else {
            throw .credentials("credentials file \(path) is readable or writable by its group or others (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
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

    /// One section of the file, as read.
    private struct Section {
        var name: String
        var line: Int
        var keyID: String?
        var secret: String?
        var grants: [Grant]?
    }

    /// Parses the text of a credentials file.
    public static func parse(_ text: String, path: String) throws(ServerError) -> AccessPolicy {
        var sections: [Section] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw .credentials("\(path) line \(number): expected a section header like [producer]") }
                let name = String(line.dropFirst().dropLast().trimmingWhitespace())
                try checkName(name, path: path, line: number)
                if let earlier = sections.first(where: { $0.name == name }) {
                    throw .credentials("\(path) line \(number): principal [\(name)] is already defined on line \(earlier.line)")
                }
                sections.append(Section(name: name, line: number))
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw .credentials("\(path) line \(number): expected `name = value` or a section header like [producer]")
            }
            let setting = line[..<equals].trimmingWhitespace().lowercased()
            let value = String(line[line.index(after: equals)...].trimmingWhitespace())
            if sections.isEmpty { sections.append(Section(name: defaultPrincipalName, line: number)) }
            switch setting {
            case "aws_access_key_id": sections[sections.count - 1].keyID = value
            case "aws_secret_access_key": sections[sections.count - 1].secret = value
            case "allow": sections[sections.count - 1].grants = (sections[sections.count - 1].grants ?? []) + (try parseGrants(value, path: path, line: number))
            default:
                throw .credentials("\(path) line \(number): unknown setting '\(setting)' (use aws_access_key_id, aws_secret_access_key and allow)")
            }
        }
        guard !sections.isEmpty else { throw .credentials("\(path) must set both aws_access_key_id and aws_secret_access_key") }
        var principals: [Principal] = []
        var keyOwners: [String: String] = [:]
        for section in sections {
            guard let keyID = section.keyID, !keyID.isEmpty, let secret = section.secret, !secret.isEmpty else {
                let which = sections.count == 1 && section.name == defaultPrincipalName ? "" : " for [\(section.name)]"
                throw .credentials("\(path) must set both aws_access_key_id and aws_secret_access_key\(which)")
            }
            if let owner = keyOwners[keyID] {
                throw .credentials("\(path): [\(section.name)] has the access key id of [\(owner)]; each principal needs its own key")
            }
            keyOwners[keyID] = section.name
            let grants: [Grant]
            if let given = section.grants {
                grants = given
            } else if sections.count == 1 {
                grants = [Grant(.admin, on: try! StreamPattern("*"))]  // the file of one key, as before principals
            } else {
                throw .credentials("\(path): [\(section.name)] has no allow line; with several principals each says what it may do, e.g. allow = read on *")
            }
            principals.append(Principal(name: section.name, credentials: Credentials(accessKeyID: keyID, secretAccessKey: secret),
                                        grants: grants))
        }
        return AccessPolicy(principals: principals)
    }

    private static func checkName(_ name: String, path: String, line: Int) throws(ServerError) {
        guard !name.isEmpty, name.utf8.count <= nameBytesMax,
              name.utf8.allSatisfy({ StreamPattern.isNameByte($0) || $0 == UInt8(ascii: "@") }) else {
            throw .credentials("\(path) line \(line): principal name '\(name)' must be 1 to \(nameBytesMax) letters, digits, '_', '.', '-' or '@'")
        }
    }

    /// `write on transactions*, read on *`.
    static func parseGrants(_ text: String, path: String, line: Int) throws(ServerError) -> [Grant] {
        var grants: [Grant] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let words = item.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count == 3, words[1].lowercased() == "on" else {
                throw .credentials("\(path) line \(line): '\(item.trimmingWhitespace())' is not ACTION on PATTERN (e.g. allow = write on transactions*, read on *)")
            }
            guard let access = StreamAccess.names.first(where: { $0.0 == words[0].lowercased() })?.1 else {
                throw .credentials("\(path) line \(line): unknown action '\(words[0])' (read, write or admin)")
            }
            do throws(StreamPattern.PatternError) {
                grants.append(Grant(access, on: try StreamPattern(String(words[2]))))
            } catch {
                throw .credentials("\(path) line \(line): \(error.message)")
            }
        }
        return grants
    }
}
