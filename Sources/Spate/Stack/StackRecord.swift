// Which objects belong to a stack: `<data>/stacks/<stack>.objects`, written by
// every apply, read by plan (for --prune) and destroy, removed by destroy.
//
// Why a record: `--prune` drops what the file *no longer* declares, which
// needs a memory of what it declared. Without one, prune could only drop
// everything the file does not name — streams made by `spate put` or the
// Kinesis endpoint, or another stack's objects, with their records. An object
// is the stack's once an apply has seen it in the file; objects made any
// other way are never pruned.
//
// Format: a comment line, then one object a line, `kind name` (`stream
// transactions`), sorted; `%`, CR and LF in a name are written %25, %0D, %0A.
// Written whole to a temporary file, fsynced and renamed over the old one.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// The record of which objects belong to a stack.
public enum StackRecord {
    /// Longest stack name (it is a file name).
    static let stackNameBytesMax = 200

    static func directory(dataDirectory: String) -> String { dataDirectory + "/stacks" }

    static func path(dataDirectory: String, stack: String) -> String {
        directory(dataDirectory: dataDirectory) + "/" + stack + ".objects"
    }

    /// The objects recorded for `stack`; [] when nothing was applied yet.
    static func read(dataDirectory: String, stack: String) throws(SpateError) -> [StackObjectID] {
        let file = path(dataDirectory: dataDirectory, stack: stack)
        guard access(file, F_OK) == 0 else { return [] }
        guard let text = StackPaths.readFile(file) else {
            throw .io("cannot read the stack record \(file): \(String(cString: strerror(errno)))")
        }
        var ids: [StackObjectID] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.firstIndex(of: " "), let kind = StackObjectKind(word: String(line[..<space])) else {
                throw .io("the stack record \(file) has a line that is not `kind name`: \(line); remove the line or the file")
            }
            ids.append(StackObjectID(kind, unescape(String(line[line.index(after: space)...]))))
        }
        return ids
    }

    /// Records `ids` as the objects of `stack` (none: removes the record).
    static func write(_ ids: [StackObjectID], dataDirectory: String, stack: String) throws(SpateError) {
        let file = path(dataDirectory: dataDirectory, stack: stack)
        if ids.isEmpty {
            if unlink(file) != 0 && errno != ENOENT { throw .io("cannot remove the stack record \(file): \(String(cString: strerror(errno)))") }
            return
        }
        let folder = directory(dataDirectory: dataDirectory)
        if mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw .io("cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        var text = "# objects of stack \(stack), written by spate apply\n"
        for id in Set(ids).sorted() { text += "\(id.kind.word) \(escape(id.name))\n" }
        try StackPaths.replaceFile(file, with: text)
    }

    /// `stack.sql` → `stack`; characters other than letters, digits, `.`, `_`
    /// and `-` become `_`, so any file name gives a usable record name.
    public static func stackName(forFile path: String) -> String {
        var base = String(path.split(separator: "/").last ?? "stack")
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        let cleaned = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "_" })
        return cleaned.hasPrefix(".") ? "_" + cleaned.dropFirst() : cleaned
    }

    /// Why `name` cannot name a stack, or nil when it can.
    public static func problem(withName name: String) -> String? {
        let allowed = !name.isEmpty && name.utf8.count <= stackNameBytesMax && !name.hasPrefix(".")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
        return allowed ? nil : "a stack name is 1 to \(stackNameBytesMax) letters, digits, '.', '_' or '-', not starting with '.'"
    }

    private static func escape(_ name: String) -> String {
        name.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
    }

    private static func unescape(_ name: String) -> String {
        name.replacingAll("%0A", "\n").replacingAll("%0D", "\r").replacingAll("%25", "%")
    }
}

extension String {
    /// Every `target` replaced with `replacement`, scanning left to right.
    fileprivate func replacingAll(_ target: String, _ replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
