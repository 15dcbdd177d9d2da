"""Names vulture (the dead-code finder) reports in pysfn_emulator that are used after all:

    vulture pysfn_emulator vulture_whitelist.py --min-confidence 60

Each is reached in a way vulture cannot see: by name (getattr dispatch), by a library that
calls our override, or by the users of the public API.
"""

# ruff: noqa: F821, B018

# definition/loader.py: Loader.state_<type> methods, chosen by getattr from the state's Type
_.state_pass
_.state_succeed
_.state_fail
_.state_wait
_.state_choice
_.state_task
_.state_parallel
_.state_map

# definition/model.py: Map fields read by getattr(state, name / f"{name}_path" / f"{name}_expression") in runtime/map_state.py
_.max_concurrency
_.max_concurrency_path
_.max_concurrency_expression
_.tolerated_failure_count
_.tolerated_failure_count_path
_.tolerated_failure_count_expression

# query/jsonata: overrides and attributes of jsonata-python's classes, called or read by the port
_.get_per_thread_instance
_.create_frame
_.evaluate_numeric_expression
_.evaluate_equality_expression
_.evaluate_comparison_expression
_.evaluate_includes_expression
_.evaluate_string_concat
_.is_parallel_call
_.get_number_of_args
_.__signature__

# integrations/local_callees.py: the dispatcher handler's __qualname__, read by tracebacks and reprs
_.__qualname__

# Public API read by users: LambdaContext (as the Lambda runtime's), a service handler's context, Execution and LiveExecution properties, tools' Coverage and a chart's node ids
_.function_version
_.invoked_function_arn
_.memory_limit_in_mb
_.log_group_name
_.log_stream_name
_.client_context
_.get_remaining_time_in_millis
_.elapsed_seconds
_.pending_tokens
_.Coverage
_.node_id

# `__exit__(self, *exc_info)`: the protocol's signature
exc_info
