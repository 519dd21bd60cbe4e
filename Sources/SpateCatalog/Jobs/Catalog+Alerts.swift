// Alert history: the state of an alert (open → acknowledged → resolved) as
// users change it with ACK ALERT / RESOLVE ALERT. Alerts are created only by
// checkpoints (Catalog+Checkpoints), so each is committed exactly once.

/// An alert's state.
public enum AlertState: String, Sendable {
    case open, acknowledged, resolved
}

extension Catalog {
    /// Sets alert `id`'s state; returns false when there is no such alert.
    @discardableResult
    public func setAlertState(id: Int64, _ state: AlertState, nowMs: Int64) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("UPDATE alerts SET state = ?2, state_changed_at = ?3 WHERE id = ?1") { statement throws(CatalogError) in
                try statement.bind(id, state.rawValue, nowMs)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }
}
