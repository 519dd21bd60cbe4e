// Typed access to `channels` (schema/0003, 0009): where alerts are sent. A channel
// is created once and dropped; it is never altered (drop and create it again).
// Dropping a channel leaves its outbox rows: pending ones then fail with
// "channel does not exist" after their attempts, visibly, instead of vanishing.

/// The kinds of channel.
public enum ChannelType: String, Sendable, Equatable, CaseIterable {
    case webhook, exec, file, stdout
}

/// The body a WEBHOOK channel sends (schema/0009).
public enum WebhookFormat: String, Sendable, Equatable, CaseIterable {
    /// Spate's alert object (AlertPayload).
    case json
    /// A Slack incoming-webhook message.
    case slack
    /// A PagerDuty Events API v2 trigger event.
    case pagerduty
}

/// One row of `channels`.
public struct ChannelRecord: Sendable, Equatable {
    public var name: String
    public var type: ChannelType
    /// The webhook URL, the program's absolute path, or the file path; nil for stdout.
    public var target: String?
    /// EXEC: the program's arguments as written (split on spaces).
    public var args: String?
    /// WEBHOOK: extra headers, 'K: V; K2: V2'.
    public var headers: String?
    public var timeoutMs: Int64
    public var rateLimitPerMinute: Int64
    public var maxAttempts: Int64
    public var definition: String
    public var createdMs: Int64
    /// WEBHOOK over https: the PEM file of the CAs to trust (nil: the system trust store).
    public var caFile: String?
    /// WEBHOOK: the body's shape.
    public var format: WebhookFormat = .json
    /// WEBHOOK with format pagerduty: the Events API v2 integration key (a secret).
    public var routingKey: String?

    public init(name: String, type: ChannelType, target: String?, args: String? = nil, headers: String? = nil,
                timeoutMs: Int64, rateLimitPerMinute: Int64, maxAttempts: Int64, definition: String, createdMs: Int64) {
        self.name = name
        self.type = type
        self.target = target
        self.args = args
        self.headers = headers
        self.timeoutMs = timeoutMs
        self.rateLimitPerMinute = rateLimitPerMinute
        self.maxAttempts = maxAttempts
        self.definition = definition
        self.createdMs = createdMs
    }
}

extension Catalog {
    private static let channelColumns =
        "name, type, target, args, headers, timeout_ms, rate_limit_per_minute, max_attempts, definition, created_at, ca_file, format, routing_key"

    /// Adds a channel; throws `.invalidRecord` when one of that name exists.
    public func createChannel(_ channel: ChannelRecord) throws(CatalogError) {
        try transaction { database throws(CatalogError) in
            let exists = try database.withStatement("SELECT 1 FROM channels WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(channel.name)
                return try statement.step()
            }
            if exists { throw .invalidRecord("channel '\(channel.name)' already exists") }
            try database.withStatement("INSERT INTO channels (\(Self.channelColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)") { statement throws(CatalogError) in
                try statement.bind(
                    channel.name,
                    channel.type.rawValue,
                    channel.target,
                    channel.args,
                    channel.headers,
                    channel.timeoutMs,
                    channel.rateLimitPerMinute,
                    channel.maxAttempts,
                    channel.definition,
                    channel.createdMs,
                    channel.caFile,
                    channel.format.rawValue,
                    channel.routingKey
                )
                try statement.run()
            }
        }
    }

    /// The channel called `name`, or nil.
    public func channel(named name: String) throws(CatalogError) -> ChannelRecord? {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.channelColumns) FROM channels WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                return try statement.step() ? Self.channelRecord(statement) : nil
            }
        }
    }

    /// Every channel, by name.
    public func channels() throws(CatalogError) -> [ChannelRecord] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.channelColumns) FROM channels ORDER BY name") { statement throws(CatalogError) in
                var channels: [ChannelRecord] = []
                while try statement.step() { channels.append(Self.channelRecord(statement)) }
                return channels
            }
        }
    }

    /// Deletes a channel; returns whether it existed.
    @discardableResult
    public func deleteChannel(named name: String) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("DELETE FROM channels WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    private static func channelRecord(_ row: SQLiteStatement) -> ChannelRecord {
        var channel = ChannelRecord(name: row.string(0), type: ChannelType(rawValue: row.string(1)) ?? .stdout, target: row.optionalString(2),
                                    args: row.optionalString(3), headers: row.optionalString(4), timeoutMs: row.int64(5),
                                    rateLimitPerMinute: row.int64(6), maxAttempts: row.int64(7), definition: row.string(8), createdMs: row.int64(9))
        channel.caFile = row.optionalString(10)
        channel.format = WebhookFormat(rawValue: row.string(11)) ?? .json
        channel.routingKey = row.optionalString(12)
        return channel
    }
}
