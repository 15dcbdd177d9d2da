"""Evaluating a state's fields: JSONPath, payload templates, intrinsic functions, JSONata, Choice
rules, and the input/output pipeline that strings them together.

Rule: compiled once at load time, evaluated many times at run time; imports only `core`.
"""
