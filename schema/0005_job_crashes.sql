-- Quarantine of a job that crashes its process (issue 14). When a job's step
-- traps the process (a runtime trap: SIGILL, SIGSEGV, …), the dying process
-- notes the job's name; the next runner to start counts it here. At 3 crashes
-- in a row the job is set 'failed' ("the process died 3 times while running
-- this job"), so that a restart brings the other jobs back. The count goes
-- back to 0 when the job catches up with its stream after a start, and when
-- RESUME JOB sets it running again.
ALTER TABLE jobs ADD COLUMN crashes_in_a_row INTEGER NOT NULL DEFAULT 0 CHECK (crashes_in_a_row >= 0);
