"""Running a loaded machine: the run loop, one handler per state type, Retry and Catch, Task
dispatch, nested executions, and the history they write.

Rule: imports `integrations` and everything below it; `execution` above wires one run.
"""
