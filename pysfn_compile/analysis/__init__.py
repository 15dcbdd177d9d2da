"""Facts about the workflow's source, computed from the AST and the imported module: static
types (`pytypes`), sharing (`aliasing`), side effects (`effects`), narrowing, what each global
is (`module_info`), exception classes as error names (`exceptions`).

Rule: imports only `runtime` and `errors`; never the state graph, the builder or lowering
(.importlinter, contract compile-layers).
"""
