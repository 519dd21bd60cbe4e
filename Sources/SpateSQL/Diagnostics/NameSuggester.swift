// NameSuggester: "did you mean ...?" for keywords now, and for columns, streams and
// functions once the analyzer uses it.
//
// Layer: SpateSQL diagnostics; pure functions, no state.
//
// Distance: optimal-string-alignment Damerau-Levenshtein (insertions, deletions,
// substitutions, transpositions of adjacent characters), compared case-insensitively
// on Unicode scalars. A candidate is suggested only when it is close enough that the
// suggestion is more likely help than noise:
//   allowed distance = 0                  for names shorter than 3 characters
//                    = max(1, length / 3) otherwise
// so a 4-letter typo may differ by one edit (FORM -> FROM), an 8-letter one by two,
// and longer names by a third of their length. A candidate that differs only by
// case (userid -> userId) is always suggested.
// Cost: O(len(a) * len(b)) per candidate; names longer than `nameLengthMax` scalars
// are never compared (no suggestion) so a hostile input cannot make this quadratic
// in megabytes.

/// Finds the candidate nearest to a misspelled name.
public enum NameSuggester {
    /// Names longer than this (in Unicode scalars) are not compared.
    public static let nameLengthMax = 256

    /// The candidate closest to `name`, or nil when none is close enough.
    ///
    /// Ties go to the candidate that comes first in `candidates`. An exact
    /// (case-sensitive) match is not a suggestion and yields nil.
    public static func nearest<Candidates: Sequence<String>>(to name: String, in candidates: Candidates) -> String? {
        let query = Array(name.lowercased().unicodeScalars)
        guard query.count <= nameLengthMax else { return nil }
        let allowed = query.count < 3 ? 0 : max(1, query.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let other = Array(candidate.lowercased().unicodeScalars)
            guard other.count <= nameLengthMax, abs(other.count - query.count) <= allowed else { continue }
            let distance = self.distance(query, other)
            guard distance <= allowed else { continue }
            if best == nil || distance < best!.distance {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Optimal-string-alignment distance between two names, case-insensitive.
    public static func distance(_ a: String, _ b: String) -> Int {
        distance(Array(a.lowercased().unicodeScalars), Array(b.lowercased().unicodeScalars))
    }

    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        // Three rows: two back (for transpositions), previous, current.
        var twoBack = [Int](repeating: 0, count: width)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: width)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, twoBack[j - 2] + 1)
                }
                current[j] = value
            }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[b.count]
    }
}
