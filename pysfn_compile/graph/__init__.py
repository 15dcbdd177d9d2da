"""The state machine under construction and its emission as ASL: states (`ir`), compiled
expressions with their guards (`exprs`), the JSONata helpers (`jsonata_lib`), the entry's input
check, the pure-loop rewrite of a built graph, and the `Builder` that owns all lowering state.

Rule: imports `analysis`, `runtime` and `errors`; never `lowering`. Lowering recurses through
the builder (`b.expr`, `b.call`, `b.block`), which calls back into the `Lowering` it was given
(lowering/visitor.py). (.importlinter, contract compile-layers.)
"""
