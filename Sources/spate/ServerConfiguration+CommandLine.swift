// The `--listen HOST:PORT` and `--credentials FILE` flags of `spate serve` and
// `spate dashboard`, read into a ServerConfiguration the same way for both; a
// bad value ends the command with its one-line error.

import SpateServer

extension ServerConfiguration {
    /// Sets host, port and credentials from the flags, or fails the command.
    mutating func apply(listen: String, credentialsPath: String?) {
        do throws(ServerError) {
            (host, port) = try ServerConfiguration.parseListen(listen)
            if let credentialsPath { credentials = try Credentials.load(path: credentialsPath) }
        } catch {
            Terminal.fail(error.description)
        }
    }
}
