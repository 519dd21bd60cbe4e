// The `--listen HOST:PORT` and `--credentials FILE` flags of `spate serve` and
// `spate dashboard`, read into a ServerConfiguration the same way for both
// (the credentials file's principals and grants: AccessPolicy); a bad value,
// or a credentials file others may read, ends the command with its one-line error.

import SpateServer

extension ServerConfiguration {
    /// Sets host, port and principals from the flags, or fails the command.
    mutating func apply(listen: String, credentialsPath: String?) {
        do throws(ServerError) {
            (host, port) = try ServerConfiguration.parseListen(listen)
            if let credentialsPath { access = try AccessPolicy.load(path: credentialsPath) }
        } catch {
            Terminal.fail(error.description)
        }
    }
}
