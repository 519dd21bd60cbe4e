import SpateLog
