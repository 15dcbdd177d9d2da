"""Virtual time: the clock, threads of states waiting on it, and local code's sleep counted on it.

Rule: imports only `core`; nothing here knows what a state is.
"""
