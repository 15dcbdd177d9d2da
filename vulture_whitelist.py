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

# sfn_api/service.py: each operation, chosen by getattr from its API name (CreateStateMachine ->
# machines.create_state_machine, StartExecution -> service._start_execution); every name below
# is an operation of botocore's Step Functions model, which wire.py checks a request against
_.create_activity
_.describe_activity
_.delete_activity
_.list_activities
_.create_state_machine
_.describe_state_machine
_.update_state_machine
_.delete_state_machine
_.list_state_machines
_.publish_state_machine_version
_.list_state_machine_versions
_.delete_state_machine_version
_.create_state_machine_alias
_.describe_state_machine_alias
_.update_state_machine_alias
_.delete_state_machine_alias
_.list_state_machine_aliases
_._start_execution
_._start_sync_execution
_._describe_execution
_._describe_state_machine_for_execution
_._list_executions
_._get_execution_history
_._stop_execution
_._send_task_success
_._send_task_failure
_._send_task_heartbeat
_._get_activity_task
_._tag_resource
_._untag_resource
_._list_tags_for_resource
_._validate_state_machine_definition
_._test_state

# sfn_api/server.py: what http.server reads on the handler and server classes
_.protocol_version
_.disable_nagle_algorithm
_.server_version
_.do_POST
_.do_GET
_.daemon_threads

# sfn_api/in_process.py: the raw body's stream(**kwargs), which botocore reads a response from
_.stream

# `__exit__(self, *exc_info)`, a signal handler's `(signum, frame)`, a botocore event handler's
# and a raw body's `**kwargs`: the protocols' signatures
exc_info
signum
kwargs
