// The credentials file's principals and grants (issue 19): the format, its
// backward compatibility (one key, no `allow` = admin on every stream), the
// errors a user can make (one line each, with the line), stream patterns, and
// what a grant allows (admin includes read and write; read and write do not
// include each other).

import Foundation
@testable import SpateServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct AccessPolicyTests {
    func pattern(_ text: String) throws -> StreamPattern { try StreamPattern(text) }

    func message(_ text: String) -> String {
        do {
            _ = try AccessPolicy.parse(text, path: "creds")
            return "parsed"
        } catch {
            return error.description
        }
    }

    @Test func aFileOfOneKeyIsOneAdminOnEveryStream() throws {
        for text in ["aws_access_key_id = AKID\naws_secret_access_key = s\n", "[default]\naws_access_key_id=AKID\naws_secret_access_key=s\n",
                     "[mine]\n# comment\n; comment\naws_access_key_id = AKID\naws_secret_access_key = s\n"] {
            let policy = try AccessPolicy.parse(text, path: "creds")
            #expect(policy.principals.count == 1)
            let principal = try #require(policy.principal(accessKeyID: "AKID"))
            #expect(principal.isUnrestricted)
            #expect(principal.allows(.everything, on: "anything"))
            #expect(principal.grantsText == "admin on *")
        }
        #expect(try AccessPolicy.parse("aws_access_key_id = A\naws_secret_access_key = s\n", path: "c").principals[0].name == "default")
    }

    @Test func principalsWithGrants() throws {
        let policy = try AccessPolicy.parse("""
            [producer]
            aws_access_key_id = AKIDP
            aws_secret_access_key = p
            allow = write on transactions*

            [dashboard]
            aws_access_key_id = AKIDD
            aws_secret_access_key = d
            allow = read on *
            [ops]
            aws_access_key_id = AKIDO
            aws_secret_access_key = o
            allow = admin on tx-*, read on audit
            allow = write on scratch
            """, path: "creds")
        #expect(policy.principals.map(\.name) == ["producer", "dashboard", "ops"])
        let producer = try #require(policy.principal(accessKeyID: "AKIDP"))
        #expect(producer.allows(.write, on: "transactions") && producer.allows(.write, on: "transactions-eu"))
        #expect(!producer.allows(.read, on: "transactions"), "write does not include read")
        #expect(!producer.allows(.write, on: "orders") && !producer.allows(.admin, on: "transactions"))
        #expect(!producer.isUnrestricted && !producer.allowsOnEveryStream(.write))
        let dashboard = try #require(policy.principal(accessKeyID: "AKIDD"))
        #expect(dashboard.allows(.read, on: "orders") && !dashboard.allows(.write, on: "orders"))
        #expect(dashboard.allowsOnEveryStream(.read) && !dashboard.allowsOnEveryStream(.admin) && !dashboard.allowsOnSomeStream(.admin))
        let ops = try #require(policy.principal(accessKeyID: "AKIDO"))
        #expect(ops.allows([.read, .write, .admin], on: "tx-1"), "admin includes read and write")
        #expect(ops.allows(.read, on: "audit") && !ops.allows(.write, on: "audit") && !ops.allows(.read, on: "audit2"))
        #expect(ops.allows(.write, on: "scratch"), "allow lines add up")
        #expect(ops.allowsOnSomeStream(.admin) && !ops.allowsOnEveryStream(.read))
        #expect(ops.grantsText == "admin on tx-*, read on audit, write on scratch")
        #expect(ops.arn == "arn:aws:iam::000000000000:user/ops")
        #expect(policy.principal(accessKeyID: "AKIDX") == nil)
    }

    @Test func mistakesAreOneLineWithTheirLine() {
        let keys = "aws_access_key_id = A\naws_secret_access_key = s\n"
        #expect(message("[a]\n" + keys + "[b]\naws_access_key_id = B\naws_secret_access_key = s\nallow = read on *\n")
                == "creds: [a] has no allow line; with several principals each says what it may do, e.g. allow = read on *")
        #expect(message("[a]\n" + keys + "allow = read on *\n[b]\n" + keys + "allow = read on *\n")
                == "creds: [b] has the access key id of [a]; each principal needs its own key")
        #expect(message("[a]\n" + keys + "allow = read on *\n[a]\n") == "creds line 5: principal [a] is already defined on line 1")
        #expect(message("[a]\n" + keys + "allow = append on tx\n") == "creds line 4: unknown action 'append' (read, write or admin)")
        #expect(message("[a]\n" + keys + "allow = read tx\n") == "creds line 4: 'read tx' is not ACTION on PATTERN (e.g. allow = write on transactions*, read on *)")
        #expect(message("[a]\n" + keys + "allow = read on tx,\n") == "creds line 4: '' is not ACTION on PATTERN (e.g. allow = write on transactions*, read on *)")
        #expect(message("[a]\n" + keys + "allow = read on tx/*\n")
                == "creds line 4: stream pattern 'tx/*' may hold only letters, digits, '_', '.', '-' (as stream names do) and '*'")
        #expect(message("[a b]\n" + keys) == "creds line 1: principal name 'a b' must be 1 to 64 letters, digits, '_', '.', '-' or '@'")
        #expect(message("[a\n") == "creds line 1: expected a section header like [producer]")
        #expect(message("[a]\naws_access_key_id = A\n") == "creds must set both aws_access_key_id and aws_secret_access_key for [a]")
        #expect(message("") == "creds must set both aws_access_key_id and aws_secret_access_key")
        #expect(message("region = eu-west-1\n") == "creds line 1: unknown setting 'region' (use aws_access_key_id, aws_secret_access_key and allow)")
    }

    @Test func aFileItsGroupOrOthersMayReadIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/credentials"
        try "aws_access_key_id = A\naws_secret_access_key = s\n".write(toFile: path, atomically: true, encoding: .utf8)
        for mode: mode_t in [0o640, 0o604, 0o660, 0o602] {
            chmod(path, mode)
            #expect(throws: ServerError.credentials("credentials file \(path) is readable or writable by its group or others (mode \(String(mode, radix: 8))); run chmod 600 \(path)")) {
                try AccessPolicy.load(path: path)
            }
        }
        chmod(path, 0o400)
        #expect(try AccessPolicy.load(path: path).principals.count == 1)
    }

    @Test func streamPatterns() throws {
        let cases: [(String, [String], [String])] = [
            ("*", ["a", "transactions", "x.y-z_1"], []),
            ("transactions*", ["transactions", "transactions-eu", "transactions2"], ["transaction", "atransactions", "orders"]),
            ("*-raw", ["eu-raw", "-raw"], ["eu-raw2", "raw"]),
            ("eu-*-raw", ["eu-tx-raw", "eu--raw"], ["eu-raw", "eu-tx-raw2", "us-tx-raw"]),
            ("a*b*c", ["abc", "aXbYc", "abbc", "acbc"], ["ab", "acb", "bc"]),
            ("*a*a*", ["aa", "xaxax", "aaa"], ["a", "xax"]),
            ("orders", ["orders"], ["orders2", "order", "Orders"]),
            ("**", ["x"], []),
        ]
        for (text, matching, notMatching) in cases {
            let compiled = try pattern(text)
            for name in matching { #expect(compiled.matches(name), "\(text) should match \(name)") }
            for name in notMatching { #expect(!compiled.matches(name), "\(text) should not match \(name)") }
        }
        #expect(try pattern("*").matchesEveryName && pattern("**").matchesEveryName)
        #expect(try !pattern("a*").matchesEveryName)
        #expect(throws: StreamPattern.PatternError.self) { try StreamPattern("") }
        #expect(throws: StreamPattern.PatternError.self) { try StreamPattern("tx?") }
    }

    @Test func decisionsAreKeptForAtMostAFewThousandStreams() throws {
        let principal = Principal(name: "p", credentials: Credentials(accessKeyID: "A", secretAccessKey: "s"),
                                  grants: [Grant(.read, on: try pattern("keep*"))])
        for i in 0..<(Principal.decisionsMax * 2 + 10) {
            #expect(principal.allows(.read, on: "keep\(i)"))
            #expect(!principal.allows(.read, on: "drop\(i)"))
            #expect(principal.decisionCount <= Principal.decisionsMax)
        }
        // The table started over instead of growing; answers stay right.
        #expect(principal.allows(.read, on: "keep-again") && !principal.allows(.write, on: "keep-again"))
    }
}
