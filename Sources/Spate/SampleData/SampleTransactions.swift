// Sample card transactions, like the classic Kinesis test producer: the data
// behind `spate generate transactions`, `spate demo`, the README's first
// session, tests and benchmarks. A port of the project's make_data.py generator
// (the same shape, not the same bytes).
//
// Each user has a usual amount (uniform 20–300); a transaction's amount is
// Gaussian around it (σ = 20 %, at least 0.50). A fraction `anomalyRate` of the
// transactions are anomalies, labelled in the record itself:
//   - `amount_spike` (5 in 6 of them): the amount × 20–50;
//   - `micro_charge` (1 in 6): 0.01–0.05, a card tested before a fraud.
// Every other record has `"label":null`. Timestamps (epoch ms) advance 0–6 ms a
// record, so 200,000 records span about ten minutes.
//
// Invariant: for one set of options the sequence of records is the same on
// every run (see SampleRandom).

/// What a sample transaction is, if anything, besides ordinary.
public enum TransactionLabel: String, Sendable, CaseIterable {
    case amountSpike = "amount_spike"
    case microCharge = "micro_charge"
}

/// One sample transaction.
public struct SampleTransaction: Sendable, Equatable {
    public var userId: String
    /// Rounded to cents.
    public var amount: Double
    public var merchantId: String
    /// Unix epoch milliseconds.
    public var timestampMs: Int64
    public var transactionId: String
    /// nil for an ordinary transaction.
    public var label: TransactionLabel?

    /// One JSON object, no newline:
    /// `{"userId":"user7","amount":42.17,"merchantId":"merchant_3","timestamp":…,"transactionId":"txn_0","label":null}`.
    public var jsonLine: String {
        let labelText = label.map { "\"\($0.rawValue)\"" } ?? "null"
        return #"{"userId":"\#(userId)","amount":\#(SampleNumber.text(amount)),"merchantId":"\#(merchantId)","#
            + #""timestamp":\#(timestampMs),"transactionId":"\#(transactionId)","label":\#(labelText)}"#
    }
}

/// An endless, deterministic sequence of sample transactions.
public struct SampleTransactions: IteratorProtocol, Sequence, Sendable {
    public struct Options: Sendable, Equatable {
        public var seed: UInt64 = 42
        /// Users are `user1` … `user<userCount>`.
        public var userCount = 500
        /// The fraction of records that are anomalies, 0…1.
        public var anomalyRate = 0.001
        /// The first record's timestamp (Unix ms); 2024-11-23T22:13:20Z by default, as make_data.py.
        public var startMs: Int64 = 1_732_400_000_000
        public static let merchantCount = 50

        public init() {}
    }

    public let options: Options
    private var random: SampleRandom
    private var usualAmounts: [Double]
    private var timestampMs: Int64
    private var index = 0

    public init(_ options: Options) {
        precondition(options.userCount >= 1, "at least one user")
        precondition((0...1).contains(options.anomalyRate), "an anomaly rate is a fraction")
        self.options = options
        random = SampleRandom(seed: options.seed)
        usualAmounts = []
        usualAmounts.reserveCapacity(options.userCount)
        for _ in 0..<options.userCount { usualAmounts.append(random.uniform(20, 300)) }
        timestampMs = options.startMs
    }

    public mutating func next() -> SampleTransaction? {
        timestampMs += Int64(random.integer(in: 0...6))
        let user = random.integer(in: 1...options.userCount)
        let usual = usualAmounts[user - 1]
        var amount = Swift.max(0.5, random.gaussian(mean: usual, standardDeviation: usual * 0.2))
        var label: TransactionLabel?
        let draw = random.unit()
        if draw < options.anomalyRate * 5 / 6 {
            amount *= random.uniform(20, 50)
            label = .amountSpike
        } else if draw < options.anomalyRate {
            amount = random.uniform(0.01, 0.05)
            label = .microCharge
        }
        let merchant = random.integer(in: 1...Options.merchantCount)
        defer { index += 1 }
        return SampleTransaction(userId: "user\(user)", amount: SampleNumber.rounded(amount, decimals: 2),
                                 merchantId: "merchant_\(merchant)", timestampMs: timestampMs,
                                 transactionId: "txn_\(index)", label: label)
    }
}

/// Decimal rounding and printing for sample values.
enum SampleNumber {
    /// `value` rounded to `decimals` places (the nearest double to that decimal).
    static func rounded(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let result = (value * scale).rounded() / scale
        return result == 0 ? 0 : result  // never -0
    }

    /// The shortest text that reads back as `value`: `42.17`, `3.0`.
    static func text(_ value: Double) -> String { value.description }
}
