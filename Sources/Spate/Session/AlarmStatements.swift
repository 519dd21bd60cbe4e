// CREATE ALARM, SHOW ALARMS and DROP ALARM. The catalog keeps alarms and their
// history; the alarm service of `spate run` (or the REPL) evaluates them.

import SpateAlerts
import SpateCatalog
import SpateSQL

extension Session {
    func createAlarm(_ statement: CreateAlarmStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        let existing: AlarmRecord?
        do { existing = try database.catalog.alarm(named: name) } catch { throw .catalog(error.description) }
        if existing != nil {
            if statement.ifNotExists { sink.message("alarm \(name) already exists"); return }
            throw .sqlMessage("alarm '\(name)' already exists (use CREATE ALARM IF NOT EXISTS, or DROP ALARM \(name) first)",
                              at: statement.name.range, source: source)
        }
        let record: AlarmRecord
        do throws(SQLError) { record = try AlarmDefinition.compile(statement, nowMs: database.now()) } catch { throw .sql(error, source: source) }
        do { try database.catalog.createAlarm(record) } catch { throw .catalog(error.description) }
        sink.message("created alarm \(name): \(AlarmDefinition.conditionText(record)) (state INSUFFICIENT_DATA until evaluated)")
    }

    func showAlarms(sink: ResultSink) throws(SpateError) {
        let alarms: [AlarmRecord]
        do { alarms = try database.catalog.alarms() } catch { throw .catalog(error.description) }
        sink.begin(columns: [
            ResultColumn(name: "alarm", type: .string), ResultColumn(name: "state", type: .string),
            ResultColumn(name: "condition", type: .string), ResultColumn(name: "missing_data", type: .string),
            ResultColumn(name: "notify", type: .string), ResultColumn(name: "state_changed", type: .timestamp),
            ResultColumn(name: "reason", type: .string),
        ])
        var summary = QuerySummary()
        for alarm in alarms {
            sink.row([
                .string(alarm.name), .string(alarm.state), .string(AlarmDefinition.conditionText(alarm)), .string(alarm.missingData),
                alarm.notify.isEmpty ? .null : .string(alarm.notify.joined(separator: ",")),
                alarm.stateChangedMs.map(Value.timestamp) ?? .null, alarm.stateReason.map(Value.string) ?? .null,
            ])
            summary.rows += 1
        }
        sink.end(summary)
    }

    func dropAlarm(_ statement: DropStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        let deleted: Bool
        do { deleted = try database.catalog.deleteAlarm(named: name) } catch { throw .catalog(error.description) }
        if !deleted && !statement.ifExists {
            throw .sqlMessage("alarm '\(name)' does not exist", at: statement.name.range, source: source, kind: .unknownName)
        }
        sink.message(deleted ? "dropped alarm \(name) (its history is kept)" : "alarm \(name) does not exist")
    }
}
