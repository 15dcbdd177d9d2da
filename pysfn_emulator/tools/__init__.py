"""Reading definitions and executions after the fact: state coverage and Mermaid graphs.

Rule: on top of the package; uses its public API and the query layer, nothing imports it but
`pysfn_emulator` (which re-exports `coverage` and `graph`) and the command line.
"""
