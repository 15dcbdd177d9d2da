"""Facts about the workflow's source, computed from the AST and the imported module: static
types (`pytypes`), sharing (`aliasing`), side effects (`effects`), narrowing, what each global
is (`module_info`), exception classes as error names (`exceptions`).
"""
