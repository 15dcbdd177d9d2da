"""`match` as the `if` statements it means, before anything else reads the tree:

    match event["type"]:                         subject = event["type"]
        case "order" | "refund":                 if subject == "order" or subject == "refund":
            ...                          ->          ...
        case {"id": str(oid), **rest}:           elif isinstance(subject, dict) and "id" in subject
            ...                                          and isinstance(subject["id"], str):
        case [first, *others] if first:              oid = subject["id"]; rest = {...}; ...
            ...                                  else:
        case _:                                      if isinstance(subject, (list, tuple)) and len(subject) >= 1:
            ...                                          first = subject[0]; others = list(subject[1:])
                                                     if <the same test> and first:
                                                         ...
                                                     else:
                                                         ...

Python's meaning: the subject is evaluated once (into a fresh name, unless it is a name no
pattern rebinds); a pattern's tests are type and length checks, `==` for literals and dotted
names, `is` for None, True and False, `in` for a mapping's keys, each only where the ones
before it hold; its names are bound when the whole pattern matches, before the guard, and
stay bound when the guard fails (CPython stores them then), so a guarded case tests its
pattern again (the tests read nothing that can change, and call nothing) with the guard.
Class patterns of the JSON builtins (`int()`, `str(x)`, `dict()`) are isinstance tests.
An `|` binds a name to the part of the subject its first matching alternative names. A
pattern the machine has no test for (a class of the user's, keyword sub-patterns) leaves the
statement as written, with the reason on it (`pysfn_refused`: node, message) for the
lowering's refusal.
"""

from __future__ import annotations

import ast
import copy

from .fresh_names import fresh_name

_BUILTIN_CLASSES = {"bool", "dict", "float", "int", "list", "str", "tuple"}


class _Unsupported(Exception):
    def __init__(self, node: ast.AST, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


def rewrite(body: list[ast.stmt]) -> None:
    """Every `match` of `body` (nested blocks and functions included), in place."""
    taken = {node.id for node in ast.walk(ast.Module(body=body, type_ignores=[])) if isinstance(node, ast.Name)}
    _block(body, taken)


def _block(block: list[ast.stmt], taken: set) -> None:
    for index, statement in enumerate(block):
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                _block(inner, taken)
        for handler in getattr(statement, "handlers", ()):
            _block(handler.body, taken)
        if isinstance(statement, ast.Match):
            for case in statement.cases:
                _block(case.body, taken)
            try:
                block[index:index + 1] = _lowered(statement, taken)
            except _Unsupported as problem:
                statement.pysfn_refused = (problem.node, problem.message)


def _lowered(match: ast.Match, taken: set) -> list[ast.stmt]:
    bound = {name for case in match.cases for node in ast.walk(case.pattern) for name in _names_of(node)}
    head: list[ast.stmt] = []
    subject = match.subject
    if not (isinstance(subject, ast.Name) and subject.id not in bound):
        name = fresh_name("subject", taken)
        assign = _at(ast.Assign(targets=[ast.Name(id=name, ctx=ast.Store())], value=subject), subject)
        assign.lineno, assign.col_offset = match.lineno, match.col_offset  # (its text: `match <subject>`)
        head.append(assign)
        subject = ast.Name(id=name, ctx=ast.Load())
    cases = [(case, *_pattern(case.pattern, subject, taken)) for case in match.cases]
    rest: list[ast.stmt] = []
    for case, tests, bindings in reversed(cases):
        assigns = [_at(ast.Assign(targets=[ast.Name(id=n, ctx=ast.Store())], value=copy.deepcopy(v)), case.pattern)
                   for n, v in bindings]
        test = _all(tests, case.pattern)
        if case.guard is None:
            rest = assigns + case.body if test is None else [
                _at(ast.If(test=test, body=assigns + case.body, orelse=rest), case.pattern)]
            continue
        # bound before the guard, and kept where it fails: the pattern's own test first
        guarded = case.guard if test is None else ast.BoolOp(op=ast.And(), values=[_all(tests, case.pattern),
                                                                                     case.guard])
        step = [_at(ast.If(test=guarded, body=case.body, orelse=rest), case.guard)]
        if assigns:
            step[:0] = assigns if test is None else [_at(ast.If(test=test, body=assigns, orelse=[]), case.pattern)]
        rest = step
    return [*head, *rest] or [_at(ast.Pass(), match)]


def _names_of(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


def _pattern(pattern: ast.pattern, subject: ast.expr, taken: set) -> tuple[list[ast.expr], list[tuple[str, ast.expr]]]:
    """The tests (a conjunction, in order) and the bindings of `pattern` against `subject`."""
    if isinstance(pattern, ast.MatchValue):
        return [ast.Compare(left=subject, ops=[ast.Eq()], comparators=[pattern.value])], []
    if isinstance(pattern, ast.MatchSingleton):
        if pattern.value is None:
            return [ast.Compare(left=subject, ops=[ast.Is()], comparators=[ast.Constant(value=None)])], []
        is_bool = _isinstance(subject, "bool")
        return [is_bool, subject if pattern.value else ast.UnaryOp(op=ast.Not(), operand=subject)], []
    if isinstance(pattern, ast.MatchAs):
        tests, bindings = ([], []) if pattern.pattern is None else _pattern(pattern.pattern, subject, taken)
        return tests, bindings + ([(pattern.name, subject)] if pattern.name else [])
    if isinstance(pattern, ast.MatchOr):
        alternatives = [_pattern(p, subject, taken) for p in pattern.patterns]
        tests = [_all(t, pattern) for t, _ in alternatives]
        bindings = _or_bindings(pattern, alternatives, tests)
        if any(t is None for t in tests):  # (an alternative that always matches: the later ones never run)
            first = tests.index(None)
            return ([ast.BoolOp(op=ast.Or(), values=tests[:first])] if first else []), \
                _or_bindings(pattern, alternatives[:first + 1], tests[:first + 1])
        return [ast.BoolOp(op=ast.Or(), values=tests)], bindings
    if isinstance(pattern, ast.MatchSequence):
        return _sequence(pattern, subject, taken)
    if isinstance(pattern, ast.MatchMapping):
        return _mapping(pattern, subject, taken)
    if isinstance(pattern, ast.MatchClass):
        cls = pattern.cls
        if not (isinstance(cls, ast.Name) and cls.id in _BUILTIN_CLASSES) or pattern.kwd_patterns \
                or len(pattern.patterns) > 1:
            raise _Unsupported(pattern, "this class pattern is not supported in a workflow: the machine tests "
                               "the JSON builtins (int(), str(x), dict(), list(), float(), bool()) with at most "
                               "one sub-pattern")
        tests, bindings = [_isinstance(subject, cls.id)], []
        if pattern.patterns:
            inner_tests, bindings = _pattern(pattern.patterns[0], subject, taken)
            tests += inner_tests
        return tests, bindings
    raise _Unsupported(pattern, "this pattern is not supported in a workflow")


def _or_bindings(pattern: ast.MatchOr, alternatives: list, tests: list) -> list:
    """The names an `|` binds: each alternative binds the same ones (Python's rule), to the
    part of the subject the first alternative that matches names (`int(n) | float(n)`: one
    binding; `[x] | [_, x]`: `subject[0] if <the first matches> else subject[1]`)."""
    names = [sorted(n for n, _ in bindings) for _, bindings in alternatives]
    if any(n != names[0] for n in names):
        raise _Unsupported(pattern, "the alternatives of this | bind different names (Python refuses it too)")
    out = []
    for name in names[0]:
        values = [dict(bindings)[name] for _, bindings in alternatives]
        value = values[-1]
        if any(ast.dump(v) != ast.dump(value) for v in values):
            for test, earlier in zip(reversed(tests[:-1]), reversed(values[:-1]), strict=True):
                value = ast.IfExp(test=copy.deepcopy(test), body=earlier, orelse=value)
        out.append((name, value))
    return out


def _sequence(pattern: ast.MatchSequence, subject: ast.expr, taken: set):
    items = pattern.patterns
    stars = [i for i, p in enumerate(items) if isinstance(p, ast.MatchStar)]
    is_seq = ast.Call(func=ast.Name(id="isinstance", ctx=ast.Load()),
                      args=[subject, ast.Tuple(elts=[ast.Name(id="list", ctx=ast.Load()),
                                                     ast.Name(id="tuple", ctx=ast.Load())], ctx=ast.Load())],
                      keywords=[])
    length = ast.Call(func=ast.Name(id="len", ctx=ast.Load()), args=[subject], keywords=[])
    fixed = len(items) - len(stars)
    tests: list[ast.expr] = [is_seq, ast.Compare(left=length, ops=[ast.GtE() if stars else ast.Eq()],
                                                 comparators=[ast.Constant(value=fixed)])]
    bindings: list = []
    star = stars[0] if stars else len(items)
    for position, item in enumerate(items):
        if position == star:
            if item.name:
                after = len(items) - star - 1
                upper = ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=after)) if after else None
                part = ast.Subscript(value=subject, slice=ast.Slice(lower=ast.Constant(value=star), upper=upper),
                                     ctx=ast.Load())
                bindings.append((item.name, ast.Call(func=ast.Name(id="list", ctx=ast.Load()), args=[part],
                                                     keywords=[])))
            continue
        index = position if position < star else position - len(items)
        index_node = ast.Constant(value=index) if index >= 0 else \
            ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-index))
        inner_tests, inner_bindings = _pattern(item, ast.Subscript(value=subject, slice=index_node, ctx=ast.Load()),
                                               taken)
        tests += inner_tests
        bindings += inner_bindings
    return tests, bindings


def _mapping(pattern: ast.MatchMapping, subject: ast.expr, taken: set):
    tests: list[ast.expr] = [_isinstance(subject, "dict")]
    bindings: list = []
    for key, value in zip(pattern.keys, pattern.patterns, strict=True):
        tests.append(ast.Compare(left=key, ops=[ast.In()], comparators=[subject]))
        inner_tests, inner_bindings = _pattern(value, ast.Subscript(value=subject, slice=key, ctx=ast.Load()), taken)
        tests += inner_tests
        bindings += inner_bindings
    if pattern.rest:
        k, v = fresh_name("key", taken), fresh_name("value", taken)
        rest = ast.DictComp(key=ast.Name(id=k, ctx=ast.Load()), value=ast.Name(id=v, ctx=ast.Load()), generators=[
            ast.comprehension(target=ast.Tuple(elts=[ast.Name(id=k, ctx=ast.Store()), ast.Name(id=v, ctx=ast.Store())],
                                               ctx=ast.Store()),
                              iter=ast.Call(func=ast.Attribute(value=subject, attr="items", ctx=ast.Load()), args=[],
                                            keywords=[]),
                              ifs=[ast.Compare(left=ast.Name(id=k, ctx=ast.Load()), ops=[ast.NotIn()],
                                               comparators=[ast.List(elts=list(pattern.keys), ctx=ast.Load())])]
                              if pattern.keys else [], is_async=0)])
        bindings.append((pattern.rest, rest))
    return tests, bindings


def _isinstance(subject: ast.expr, cls: str) -> ast.expr:
    return ast.Call(func=ast.Name(id="isinstance", ctx=ast.Load()), args=[subject, ast.Name(id=cls, ctx=ast.Load())],
                    keywords=[])


def _all(tests: list[ast.expr], where: ast.AST) -> ast.expr | None:
    """The conjunction of `tests` (a copy: a guarded case's test is written twice)."""
    if not tests:
        return None
    tests = [copy.deepcopy(test) for test in tests]
    test = tests[0] if len(tests) == 1 else ast.BoolOp(op=ast.And(), values=tests)
    return ast.fix_missing_locations(ast.copy_location(test, where))


def _at(statement: ast.stmt, where: ast.AST) -> ast.stmt:
    """`statement` located at `where` (its new nodes too), so that the state's Comment names the
    case's line."""
    return ast.fix_missing_locations(ast.copy_location(statement, where))
