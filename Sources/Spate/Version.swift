// The version of Spate: one constant, printed by `spate --version` and the
// REPL's banner. Raise it with a release; nothing reads it to decide behaviour
// (the catalog and the log carry their own format versions).

/// The version of this build of Spate.
public enum SpateVersion {
    public static let current = "0.4.0"
}
