// Base64 with the standard alphabet and padding (RFC 4648 §4), as the AWS JSON
// protocol encodes blobs (Kinesis `Data`). Decoding is strict — padding required
// where the length needs it, no whitespace, no URL-safe alphabet — because a
// record's bytes must come out exactly as the producer sent them.

/// Base64 encoding and decoding over bytes.
public enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    /// Byte → 6-bit value, 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Appends the encoding of `input` to `out`.
    public static func encode(_ input: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + (input.count + 2) / 3 * 4)
        var i = 0
        alphabet.withUnsafeBufferPointer { a in
            while i + 3 <= input.count {
                let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                out.append(a[Int(n >> 18)]); out.append(a[Int(n >> 12 & 63)])
                out.append(a[Int(n >> 6 & 63)]); out.append(a[Int(n & 63)])
                i += 3
            }
            let rest = input.count - i
            if rest == 1 {
                let n = UInt32(input[i]) << 16
                out.append(a[Int(n >> 18)]); out.append(a[Int(n >> 12 & 63)])
                out.append(UInt8(ascii: "=")); out.append(UInt8(ascii: "="))
            } else if rest == 2 {
                let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                out.append(a[Int(n >> 18)]); out.append(a[Int(n >> 12 & 63)])
                out.append(a[Int(n >> 6 & 63)]); out.append(UInt8(ascii: "="))
            }
        }
    }

    public static func encode(_ input: [UInt8]) -> String {
        var out: [UInt8] = []
        input.withUnsafeBytes { encode($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the bytes `text` encodes to `out`; returns false (leaving `out`
    /// with a partial result) when `text` is not valid padded base64.
    public static func decode(_ text: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        guard text.count % 4 == 0 else { return false }
        out.reserveCapacity(out.count + text.count / 4 * 3)
        return values.withUnsafeBufferPointer { v -> Bool in
            var i = 0
            while i < text.count {
                let a = v[Int(text[i])], b = v[Int(text[i + 1])]
                guard a != 0xFF, b != 0xFF else { return false }
                let isLast = i + 4 == text.count
                if isLast && text[i + 3] == UInt8(ascii: "=") {
                    if text[i + 2] == UInt8(ascii: "=") {
                        guard b & 0x0F == 0 else { return false }
                        out.append(a << 2 | b >> 4)
                    } else {
                        let c = v[Int(text[i + 2])]
                        guard c != 0xFF, c & 0x03 == 0 else { return false }
                        out.append(a << 2 | b >> 4); out.append(b << 4 | c >> 2)
                    }
                    return true
                }
                let c = v[Int(text[i + 2])], d = v[Int(text[i + 3])]
                guard c != 0xFF, d != 0xFF else { return false }
                out.append(a << 2 | b >> 4); out.append(b << 4 | c >> 2); out.append(c << 6 | d)
                i += 4
            }
            return true
        }
    }

    /// The bytes `text` encodes, or nil when it is not valid padded base64.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        var out: [UInt8] = []
        let ok = text.withUTF8 { decode(UnsafeRawBufferPointer($0), into: &out) }
        return ok ? out : nil
    }
}
