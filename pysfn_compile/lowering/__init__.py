"""Python AST → states, mypyc's irbuild the model.

Rule (.importlinter, contract compile-lowering), from the top:
    visitor                                       dispatches each node kind to its transform
    statements | expressions | calls | builtins   the transforms: none imports another
      | lambda_compute                            (compute_in_lambda: blocks run in the Lambda)
    targets                                       assignment targets
    evaluation                                    operands in Python's order, conditions
    operations | formatting                       operators on compiled values; str and repr
A transform recurses through the builder (`b.expr(node)`, `b.call(node)`, `b.block(body)`)
and changes state only through Builder methods. Below lowering: graph, analysis, runtime.
"""
