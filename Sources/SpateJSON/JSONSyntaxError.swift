// JSONSyntaxError.swift — why and where a JSON text was rejected.
//
// Layer: SpateJSON. Every failure of the scanner, of the string
// unescaper and of the path compiler's input validation is reported as a value,
// never as a crash: a bad record is a user error (DESIGN.md: "Unparseable
// payloads never crash a query").
//
// Invariants:
// - `offset` is a byte offset into the buffer that was given to the failing
//   call (0-based), and is always in `0...buffer.count`. An offset equal to the
//   count means "the input ended too early".
// - The reason is a closed enum, so building an error never allocates and two
//   errors compare with `==` (tests assert exact offsets and reasons).

/// A JSON text that is not well-formed (RFC 8259), with the byte offset at
/// which the problem was found.
///
/// `description` reads like `invalid JSON at byte 17: expected ':' after object key`.
/// Creating one costs nothing: no allocation, no string formatting until
/// `description` is asked for.
public struct JSONSyntaxError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong. Each case has a short, lower-case English description.
    public enum Reason: Equatable, Hashable, Sendable, CustomStringConvertible {
        /// The input is empty or contains only whitespace.
        case emptyInput
        /// The input ended inside a value (but not inside a string).
        case unexpectedEndOfInput
        /// A byte that cannot begin a JSON value, where a value was required.
        case expectedValue
        /// `true`, `false` or `null` misspelled or cut short.
        case invalidLiteral
        /// Inside an object, where a key was required, something other than `"`.
        case expectedObjectKey
        /// An object key not followed by `:`.
        case expectedColon
        /// An object member not followed by `,` or `}`.
        case expectedCommaOrObjectEnd
        /// An array element not followed by `,` or `]`.
        case expectedCommaOrArrayEnd
        /// A string without its closing `"` (the offset is the opening quote).
        case unterminatedString
        /// A raw byte below 0x20 inside a string; RFC 8259 requires it escaped.
        case controlCharacterInString
        /// A backslash followed by something other than `" \ / b f n r t u`.
        case invalidEscape
        /// `\u` not followed by four hexadecimal digits.
        case invalidUnicodeEscape
        /// A `\u` escape of a UTF-16 surrogate that is not part of a valid
        /// high+low pair (it has no UTF-8: strict JSON rejects it).
        case unpairedSurrogate
        /// Bytes in a string that are not well-formed UTF-8 (RFC 8259 §8.1).
        case invalidUTF8
        /// A number with a leading zero, like `01` or `-007`.
        case leadingZero
        /// A number where a digit was required: after `-`, after `.`, or in
        /// the exponent (`-`, `1.`, `1e`, `1e+`).
        case expectedDigit
        /// Objects/arrays nested deeper than the limit (the associated value).
        case nestingTooDeep(limit: Int)
        /// A complete value followed by something other than whitespace.
        case trailingCharacters
        /// A record whose top-level value is not an object.
        case topLevelNotObject

        public var description: String {
            switch self {
            case .emptyInput: return "empty input"
            case .unexpectedEndOfInput: return "unexpected end of input"
            case .expectedValue: return "expected a JSON value"
            case .invalidLiteral: return "invalid literal (expected true, false or null)"
            case .expectedObjectKey: return "expected '\"' to begin an object key"
            case .expectedColon: return "expected ':' after object key"
            case .expectedCommaOrObjectEnd: return "expected ',' or '}' after object member"
            case .expectedCommaOrArrayEnd: return "expected ',' or ']' after array element"
            case .unterminatedString: return "unterminated string"
            case .controlCharacterInString: return "control character in string (must be escaped)"
            case .invalidEscape: return "invalid escape sequence in string"
            case .invalidUnicodeEscape: return "invalid \\u escape (expected four hex digits)"
            case .unpairedSurrogate: return "unpaired UTF-16 surrogate in \\u escape"
            case .invalidUTF8: return "invalid UTF-8 in string"
            case .leadingZero: return "leading zeros are not allowed in numbers"
            case .expectedDigit: return "expected a digit in number"
            case .nestingTooDeep(let limit): return "nesting deeper than \(limit)"
            case .trailingCharacters: return "trailing characters after JSON value"
            case .topLevelNotObject: return "expected an object at the top level"
            }
        }
    }

    /// Byte offset (0-based) into the input where the problem was detected.
    public var offset: Int
    /// What was wrong.
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// `invalid JSON at byte <offset>: <reason>`.
    public var description: String {
        "invalid JSON at byte \(offset): \(reason)"
    }
}
