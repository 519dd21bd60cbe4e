// DetectorExplanation: why a row was flagged, as the JSON that the
// anomaly_explanation pseudo-column, the alert row and the webhook payload
// carry — the successor of Kinesis Data Analytics' RANDOM_CUT_FOREST_WITH_EXPLANATION:
//
//   {"detector":"MAHALANOBIS","grade":0.99993,"inputs":[
//     {"input":"cur","observed":1.92,"expected":1.31,"low":1.07,"high":1.55,"share":0.71,"direction":"high"}, …]}
//
// Inputs are listed by share, largest first. `expected` is what the key's
// normal points lead to expect, [low, high] the normal range (expected ± 3
// spreads), `share` the input's part of the score (MahalanobisDetector: the T²
// decomposition; RCF: the share of the squared scaled deviation; one input: 1).
// A field the detector cannot know (an RCF of one input has no expected value)
// is left out.

import SpateSQL
import SpateJSON

/// The explanation of one flagged row.
public struct DetectorExplanation: Sendable, Equatable {
    public var function: String
    public var inputs: [String]
    public var attributions: [InputAttribution]
    /// The calibrated grade of the row's score (nil before calibration).
    public var grade: Double?

    public init(function: String, inputs: [String], attributions: [InputAttribution], grade: Double? = nil) {
        self.function = function
        self.inputs = inputs
        self.attributions = attributions
        self.grade = grade
    }

    /// One input, with an expected value and spread when the detector has them.
    static func single(function: String, input: String?, observed: Double, expected: Double?, spread: Double?) -> DetectorExplanation {
        DetectorExplanation(function: function, inputs: [input ?? "input_1"],
                            attributions: [InputAttribution(observed: observed, expected: expected ?? .nan, spread: spread ?? .nan, share: 1)])
    }

    /// Indices of the inputs, largest share first.
    public var order: [Int] {
        attributions.indices.sorted { attributions[$0].share > attributions[$1].share || (attributions[$0].share == attributions[$1].share && $0 < $1) }
    }

    public var json: String {
        var out = "{\"detector\":" + JSONStringLiteral.quoted(function)
        if let grade { out += ",\"grade\":" + JSONText.value(.double(grade)) }
        out += ",\"inputs\":["
        for (position, i) in order.enumerated() {
            let a = attributions[i]
            if position > 0 { out += "," }
            out += "{\"input\":" + JSONStringLiteral.quoted(i < inputs.count ? inputs[i] : "input_\(i + 1)")
            out += ",\"observed\":" + JSONText.value(.double(a.observed))
            if a.expected.isFinite {
                out += ",\"expected\":" + JSONText.value(.double(a.expected))
                if a.spread.isFinite {
                    out += ",\"low\":" + JSONText.value(.double(a.expected - 3 * a.spread))
                    out += ",\"high\":" + JSONText.value(.double(a.expected + 3 * a.spread))
                }
                out += ",\"direction\":\"" + a.direction + "\""
            }
            out += ",\"share\":" + JSONText.value(.double((a.share * 1000).rounded() / 1000)) + "}"
        }
        return out + "]}"
    }
}
