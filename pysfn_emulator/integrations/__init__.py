"""What a Task calls: local Lambda handlers, the mock file, task tokens and activities, a
distributed Map's S3 reader and writer, and the failures local code raises on purpose.

Rule: imports `virtual_time`, `definition`, `query` and `core`; never the interpreter.
"""
