#!/usr/bin/env python3
"""Runs Flink SQL scripts written by `spate export job … --to flink` in PyFlink.

Usage: flink_run.py SCRIPT.sql [SCRIPT.sql …]

Each script runs in its own TableEnvironment (streaming mode, a local
mini-cluster) inside this one process, so the JVM starts once for all of them.
The scripts are meant for Flink's SQL client; this does what the client would:
`SET 'key' = 'value';` sets the table configuration, every other statement goes
to execute_sql, and an INSERT is waited for. With the filesystem connector the
source is bounded: at its end Flink's watermark jumps to the end of time, so
every window is final and written before the INSERT returns.

Prints `ran SCRIPT` per script; on an error prints it and exits 1.
"""

import re
import sys

SET = re.compile(r"^SET\s+'([^']+)'\s*=\s*'([^']*)'$", re.IGNORECASE | re.DOTALL)


def statements(text):
    """The statements of a script: comment lines dropped, split at `;` ending a line."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("--")]
    parts = re.split(r";[ \t]*(?:\n|$)", "\n".join(lines))
    return [part.strip() for part in parts if part.strip()]


def run(path):
    from pyflink.table import EnvironmentSettings, TableEnvironment

    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    with open(path, encoding="utf-8") as handle:
        script = handle.read()
    for statement in statements(script):
        match = SET.match(statement)
        if match:
            env.get_config().set(match.group(1), match.group(2))
            continue
        result = env.execute_sql(statement)
        if statement.upper().startswith("INSERT"):
            result.wait()
    print("ran", path, flush=True)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in sys.argv[1:]:
        try:
            run(path)
        except Exception as error:  # one line per failure, then the detail
            print("FAILED", path, str(error).splitlines()[0] if str(error) else repr(error), flush=True)
            print(str(error)[:4000], file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
