"""Python AST → states: one transform per statement, expression, call and builtin kind, and
the printing of values (`formatting`).
"""
