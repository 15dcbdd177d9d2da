"""The ground floor: error names and values, JSON text as AWS reads and writes it, timestamps,
the bounds of an execution, java.util.Random.

Rule: imports nothing from the rest of the package; everything else may import it.
"""
