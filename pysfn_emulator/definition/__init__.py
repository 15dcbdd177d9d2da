"""A definition: validated as AWS validates it at create time, then loaded into a frozen model.

Rule: imports `query` (to compile fields) and `core`; knows nothing of running.
"""
