#!/bin/sh
# sendmail-alert.sh ADDRESS — e-mails one Spate alert to ADDRESS.
#
# For an EXEC channel: Spate runs this program with argv (never a shell) and
# the alert's JSON on standard input; a non-zero exit is a failed delivery
# that Spate retries with backoff. Needs /usr/sbin/sendmail (Postfix, Exim,
# msmtp-mta, … provide it). The subject is the alert's "message" field; the
# body is the whole JSON. Idempotency: the alert's idempotency_key is sent as
# the Message-ID's left part, so a mail system may drop repeats.
#
#   CREATE CHANNEL email TYPE EXEC WITH (
#     command = '/path/to/examples/sendmail-alert.sh', args = 'ops@example.com');
set -eu
address=${1:?usage: sendmail-alert.sh ADDRESS (alert JSON on standard input)}
sendmail=/usr/sbin/sendmail
if [ ! -x "$sendmail" ]; then
    echo "sendmail-alert.sh: $sendmail not found (install an MTA such as postfix or msmtp-mta)" >&2
    exit 69
fi
alert=$(cat)
# The message and key Spate writes contain no quotes; pick them out without jq.
subject=$(printf '%s' "$alert" | sed -n 's/.*"message":"\([^"]*\)".*/\1/p')
key=$(printf '%s' "$alert" | sed -n 's/.*"idempotency_key":"\([^"]*\)".*/\1/p')
host=$(hostname 2>/dev/null || echo localhost)
{
    printf 'To: %s\n' "$address"
    printf 'Subject: [spate] %s\n' "${subject:-alert}"
    printf 'Message-ID: <%s@%s>\n' "${key:-spate-alert}" "$host"
    printf 'Content-Type: application/json; charset=utf-8\n\n'
    printf '%s\n' "$alert"
} | "$sendmail" -t -i
