"""The builder owns the compiler's state: the graph being built, the open transitions, the
scopes (the workflow function, each branch and map body), the try/loop contexts, the types
and names of variables, and the list of problems. The transforms share its helpers.

Open transitions are *holes*: when a node is added, every pending hole is pointed at it.
Each hole also carries the set of variables certainly assigned on its path, so a read of a
variable that may be unassigned is refused (Python would raise UnboundLocalError).
"""

from __future__ import annotations

import ast
import contextlib
import math
import re
from collections.abc import Iterator
from typing import Any, Protocol

import attrs

from ..analysis import aliasing, ast_edits, pytypes
from ..analysis.exceptions import error_equals
from ..analysis.module_info import ModuleInfo
from ..analysis.pytypes import Ty
from ..errors import Problem, Refusal
from ..runtime import aws
from ..runtime.compute_runtime import UNBOUND
from . import ir, jsonata_lib
from .exprs import UNSUPPORTED, Expr, Guard, const, float_kind, mixed_number, record

JSONATA_NAMES = frozenset("""
abs append assert average base64decode base64encode boolean ceil contains count decodeUrl
decodeUrlComponent distinct each encodeUrl encodeUrlComponent error eval exists filter floor
formatBase formatInteger formatNumber fromMillis join keys length lookup lowercase map match max
merge millis min not now number pad parseInteger power random reduce replace reverse round
shuffle sift single sort split spread sqrt string substring substringAfter substringBefore sum
toMillis trim type uppercase zip partition range hash uuid parse states
""".split())


class Hole:
    """A transition not yet pointed anywhere: `obj.attr`, with what is known on its path: the
    variables certainly set, and those whose list/dict (or items) another place may share."""

    __slots__ = ("obj", "attr", "defined", "shared", "deep")

    def __init__(self, obj: Any, attr: str, defined: frozenset, shared: frozenset = frozenset(),
                 deep: frozenset = frozenset()):
        self.obj, self.attr, self.defined = obj, attr, defined
        self.shared, self.deep = shared, deep

    def fill(self, node: ir.Node) -> None:
        setattr(self.obj, self.attr, node)


class Label:
    """A place in the graph that jumps target before (or after) it exists."""

    def __init__(self, name: str = ""):
        self.name = name
        self.holes: list[Hole] = []
        self.node: ir.Node | None = None

    def add(self, hole: Hole) -> None:
        if self.node is not None:
            hole.fill(self.node)
        else:
            self.holes.append(hole)

    @property
    def used(self) -> bool:
        return bool(self.holes) or self.node is not None


@attrs.define(eq=False)
class TryContext:
    node: ast.Try
    handlers: list  # HandlerInfo
    in_body: bool = True  # handlers apply only to the try body (and else? no: only body)
    finally_label: Label | None = None
    finally_var: str | None = None
    kinds: set = attrs.Factory(set)  # completions routed through the finally block
    dispatch: Label | None = None  # dynamic exception dispatch over the handlers


@attrs.define(eq=False)
class ReturnedFrame:
    """A finally block being lowered that pending returns pass through (Builder.after_return)."""
    scope: Any
    held: dict  # {name: (line of the return, whether the value holds name's list itself)}
    placeable: frozenset  # names the caller writes into the result again after the block
    patched: set = attrs.Factory(set)  # of those, the ones the block changes in place


@attrs.define(eq=False)
class HandlerInfo:
    classes: tuple  # exception classes, () for bare except
    var: str | None  # ASL variable holding the caught exception (the `as` name or a hidden one)
    label: Label
    node: ast.ExceptHandler
    # `except E as e` where `e` is read outside the handlers that bind it: Python deletes it
    # wherever the handler ends, and a later read raises UnboundLocalError
    deletes: bool = False


@attrs.define(eq=False)
class LoopContext:
    node: ast.AST
    head: Label
    exit: Label
    ident: str


@attrs.define(eq=False)
class Scope:
    """One function's states: the workflow, or a branch / map body."""

    name: str
    kind: str  # "entry" or "branch"
    graph: ir.Graph
    prefix: str  # for hidden variables ("__" or "__branch_")
    outer: Scope | None = None
    types: dict = attrs.Factory(dict)  # python name -> Ty (from the previous pass)
    new_types: dict = attrs.Factory(dict)  # python name -> Ty (this pass)
    names: dict = attrs.Factory(dict)  # python name -> ASL variable name
    locals: set = attrs.Factory(set)  # python names assigned in this function
    contexts: list = attrs.Factory(list)  # TryContext / LoopContext, innermost last
    temp_count: int = 0
    raise_label: Label | None = None
    abort_nodes: dict = attrs.Factory(dict)
    nested: dict = attrs.Factory(dict)  # name -> ast.FunctionDef of nested defs
    aliasing: Any = None  # aliasing.FunctionNames of its body: who may share with whom, who reads what
    return_type: Any = None
    loop_alias: dict = attrs.Factory(dict)  # loop node id -> (shared, deep) at its back edges
    reads: dict = attrs.Factory(dict)  # name -> the type every read of it saw this pass (None: several)
    loop_alias_new: dict = attrs.Factory(dict)
    failed: set = attrs.Factory(set)  # python names whose assigning statement was refused
    # names a refused statement changes in place (`d[k] = v`, `xs.append(x)`): failed too in a
    # last pass once the types settle (before, a later statement may still widen their type)
    failed_changes: set = attrs.Factory(set)
    changes_fail: bool = False
    keys_stable: bool = True  # nothing in its body takes a key out of a dict (effects.removes_keys)
    reread_iterators: frozenset = frozenset()  # names of one-pass iterators read again (iterators.py)
    set_uses: Any = None  # set_uses.SetUses of its body: its set variables, and the uses of sets refused
    blind_numbers: Any = None  # blind_numbers.BlindNumbers of its body: where a number's kind cannot show
    child: bool = False  # a distributed Map's child execution: each exception leaving it ends as a record
    # names read where Python may find them unassigned (UnboundLocalError when the workflow runs):
    # the previous pass's, which the entry marks unassigned, and this pass's
    maybe_unbound: frozenset = frozenset()
    maybe_unbound_new: set = attrs.Factory(set)
    # names that may hold an int or a float (`total = 0`, then `total += x * 1.5`), or numbers of
    # unknown type whose kind a read needs (blind_numbers.kind_names), and carry a hidden
    # companion saying which (Builder.kind_pairs): those the previous pass's types made so
    # (compiler._kind_names), less the names some binding of which cannot say (a loop target,
    # unpacking, a value nobody knows the kind of): kind_lost, kept across passes like
    # maybe_unbound once the candidates settle
    kinds_tracked: frozenset = frozenset()
    kind_lost: frozenset = frozenset()
    kind_lost_new: set = attrs.Factory(set)
    body: list = attrs.Factory(list)  # the function's statements (after the tree rewrites)
    # name -> ast.FunctionDef of every def in its body, known before the body is lowered (nested
    # fills as the defs are lowered; compute_in_lambda chooses its runs before that)
    functions: dict = attrs.Factory(dict)
    # `for row in rows` loops lowered by index (element_aliases.index_loop): the same copy every pass
    by_index: dict = attrs.Factory(dict)
    closure_reads: frozenset = frozenset()  # names its nested functions read (narrowing.closure_reads)
    # name -> (callee, module-level name, line): a callee's result that may be the module's own
    # list, dict or set (Builder.module_object_of), for the refusal of changing it in place
    module_objects: dict = attrs.Factory(dict)
    enclosed_reads: frozenset = frozenset()  # ids of the reads inside its lambdas and comprehensions

    @property
    def exc_var(self) -> str:
        return self.prefix + "exc"


class ValueFrame(dict):
    """Bindings {name: (JSONata text, Ty, reads[, helpers])} whose texts read workflow variables (an
    any()/all() lowered as a loop), unlike a comprehension's JSONata function parameters:
    states may be added while they are in scope."""


class _Pushed:
    """A context manager: `item` is on `stack` inside the with block."""

    __slots__ = ("stack", "item")

    def __init__(self, stack: list, item):
        self.stack, self.item = stack, item

    def __enter__(self):
        self.stack.append(self.item)

    def __exit__(self, *exc):
        _remove_same(self.stack, self.item)
        return False


def _remove_same(stack: list, item) -> None:
    """Take `item` itself off `stack` (not the first equal one: two narrowing frames may hold
    the same types by then, and the other must stay)."""
    for index in range(len(stack) - 1, -1, -1):
        if stack[index] is item:
            del stack[index]
            return


class BuilderHelpers:
    """The rest of the builder's helpers (kept apart from the graph mechanics above)."""

    def _init_helpers(self) -> None:
        self.effects_cache: dict = {}
        self.bindings: list[dict] = []  # comprehension variables, innermost last
        self.comprehension_count = 0
        self.handler_stack: list = []
        self.loop_guarded: set = set()
        self.collect_loops: dict = {}  # (container, index) -> the sharing marks when the loop started (collecting)
        self.narrowed: list = []  # frames {name: (scope, Ty)}, innermost last
        self.ended_frames: list = []  # the frames of the block that ended last
        self.present_keys: list = []  # (scope, dict name, key name): `d[k]` finds its key (keys_present)
        self.asl_names: set = set()  # ASL variable names given out in the scopes being lowered
        self.no_fold: set = set()  # hidden result variables read by more than one statement
        self.block_frames: list = []  # per block being lowered: frames to drop at its end
        self._mutations: dict = {}
        self.returned: list[ReturnedFrame] = []  # per finally block being lowered

    # source ------------------------------------------------------------------------------
    def source_of(self, node: ast.AST) -> str:
        """The statement's source text (first lines of it), on one line, for a Comment."""
        lines = self.info.lines
        first, last = node.lineno, min(getattr(node, "end_lineno", node.lineno) or node.lineno, node.lineno + 3)
        if not 1 <= first <= len(lines):
            return ""
        chunk = [lines[n - 1] for n in range(first, min(last, len(lines)) + 1)]
        start = len(chunk[0].encode("utf-8")[: node.col_offset].decode("utf-8", "replace"))
        chunk[0] = chunk[0][start:]
        if last == getattr(node, "end_lineno", None) and node.end_col_offset is not None:
            end_line = lines[last - 1]
            end = len(end_line.encode("utf-8")[: node.end_col_offset].decode("utf-8", "replace"))
            chunk[-1] = chunk[-1][: end - (start if len(chunk) == 1 else 0)]
        text = " ".join(" ".join(chunk).split())
        return text if len(text) <= 120 else text[:119] + "…"

    def field(self, expr: Expr) -> Any:
        return _code(expr)

    def unassign(self, names: list[str], title: str) -> None:
        """The Python names hold UNBOUND (a value no JSON input or result is: a read of it is
        Python's UnboundLocalError, expressions.transform_name), and count as unassigned."""
        self.assign([(self.var(name), const(UNBOUND, pytypes.NOTHING)) for name in names], title)
        assigned = {self.var(name) for name in names}
        for hole in self.pending:
            hole.defined = hole.defined - assigned

    def template(self, expr: Expr) -> Any:
        """A field that may be a JSON object: a dict display with literal keys is one expression
        per key (each with only the helpers it calls: no field holds every key's helpers),
        as a person would write an Output; anything else is field(expr)."""
        if expr.entries is None or expr.is_const:
            return _code(expr)
        return {key: self.template(value) for key, value in expr.entries}

    # names -------------------------------------------------------------------------------
    def declare(self, name: str) -> None:
        if name.startswith("__"):
            raise Refusal(self.statement, f"the name '{name}' is reserved (names starting with __ are the "
                          "compiler's hidden variables)", "rename the variable")
        self.scope.locals.add(name)

    def is_callee(self, name: str) -> bool:
        return self.info.callee(name) is not None and name not in self.info.entry_names

    def scope_nested(self) -> dict:
        out: dict = {}
        for scope in reversed(list(self.scopes())):
            out.update(scope.nested)
        return out

    def var_if_local(self, name: str) -> str | None:
        scope, _ = self.lookup(name)
        return self.var(name, scope) if scope is not None else None

    # comprehension variables (JSONata function parameters) -------------------------------
    def next_comprehension(self) -> int:
        self.comprehension_count += 1
        return self.comprehension_count

    # -- what the transforms enter and leave (state changes only here) ---------------------
    @contextlib.contextmanager
    def lowering_statement(self, statement: ast.stmt, text: str) -> Iterator[None]:
        """Inside the with block, `statement` (shown as `text`) is the one being lowered."""
        previous = (self.statement, self.statement_text)
        self.statement, self.statement_text = statement, text
        try:
            yield
        finally:
            self.statement, self.statement_text = previous

    @contextlib.contextmanager
    def lowering_block(self) -> Iterator[None]:
        """A block of statements: what `narrow_rest` narrows inside it ends with it."""
        self.block_frames.append([])
        try:
            yield
        finally:
            ended = self.block_frames.pop()
            for frame in ended:
                _remove_same(self.narrowed, frame)
            self.ended_frames = ended

    @contextlib.contextmanager
    def narrowed_as_after(self, frames: list) -> Iterator[None]:
        """What a block narrowed to its end (`frames`: `ended_frames` after it), holding again
        in a block that runs only after it ends normally (a try's `else`)."""
        self.narrowed.extend(frames)
        try:
            yield
        finally:
            for frame in frames:
                _remove_same(self.narrowed, frame)

    @contextlib.contextmanager
    def inside(self, context: LoopContext | TryContext) -> Iterator[None]:
        """The states added inside the with block are in the loop or try `context` (break,
        continue, raise and return route through it)."""
        self.scope.contexts.append(context)
        try:
            yield
        finally:
            self.scope.contexts.pop()

    @contextlib.contextmanager
    def handling(self, handler: HandlerInfo) -> Iterator[None]:
        """Inside the with block, the states are `handler`'s body (a bare raise re-raises)."""
        self.handler_stack.append(handler)
        try:
            yield
        finally:
            self.handler_stack.pop()

    def walked(self) -> set:
        """The names of the lists the enclosing for loops walk (a copy, for `end_walk`)."""
        return set(self.loop_guarded)

    def walk(self, names: set) -> None:
        """A for loop walks these lists from here: changing them in place is refused (a loop
        walking one already walked takes away the item stores walk_at allowed)."""
        self.loop_guarded = {g for g in self.loop_guarded if not (isinstance(g, tuple) and g[0] == "at" and g[1] in names)}
        self.loop_guarded |= names

    def walk_at(self, name: str, position: str) -> None:
        """`for position, x in enumerate(name)`, the only loop walking the list: storing the
        item at `position` (`name[position] = v`) is allowed, the item Python's enumerate has
        already passed (later items stay as the machine's snapshot holds them)."""
        self.loop_guarded.add(("at", name, position))

    def walk_keys(self, name: str) -> None:
        """A for loop walks this dict's keys from here (`for k in d`): a change that adds or
        removes a key is refused; its values may change (`d[k] = v`, `d[k2].append(v)`)."""
        self.loop_guarded.add(("keys", name))

    def end_walk(self, walked: set) -> None:
        """The loop is over: the lists walked are those of before it (`walked()`)."""
        self.loop_guarded = walked

    def read_again(self, names: frozenset) -> None:
        """These hidden variables are read by more than one statement: never folded away."""
        self.no_fold.update(names)

    def note_failed(self, names: set, changed: set = frozenset()) -> None:
        """A refused statement would have assigned `names` and changed `changed` in place: their
        types are unknown from here (`changed`'s only in the pass after the types settle)."""
        self.scope.failed.update(names)
        self.scope.failed_changes.update(changed)
        if self.scope.changes_fail:
            self.scope.failed.update(changed)

    def note_callee(self, name: str, function: Any) -> None:
        self.callees[name] = function

    def note_return(self, ty: Ty) -> None:
        self.scope.return_type = pytypes.join(self.scope.return_type, ty)

    def comprehension_binding(self, name: str):
        for frame in reversed(self.bindings):
            if name in frame:
                return frame[name]
        return None

    def comprehension_scope(self, bindings: dict):
        return _Pushed(self.bindings, bindings)

    @property
    def in_jsonata_function(self) -> bool:
        """Whether the expression being lowered is the body of a JSONata function (a pure
        comprehension's item, a key function): no state can run there."""
        return any(not isinstance(frame, ValueFrame) for frame in self.bindings)

    # in-place changes --------------------------------------------------------------------
    def mutated_parameters(self, callee: str) -> dict:
        if callee not in self._mutations:
            self._mutations[callee] = aliasing.callee_mutations(self.info.functions[callee])
        return self._mutations[callee]

    def check_mutation(self, node: ast.AST, name: str, nested: bool, depth: int = 1) -> None:
        """Refuse to change in place a list/dict that another name may share (see aliasing);
        `nested`: the list/dict changed is an item of `name`, `depth` levels down."""
        refusal = self.mutation_refusal(node, name, nested, depth)
        if refusal is not None and getattr(node, "pysfn_defaultdict_read", False):
            # (plain_collections made `d[k]` of a defaultdict `d.setdefault(k, ...)`)
            refusal = Refusal(node, f"reading {name}[...] adds the key when it is missing ({name} is a defaultdict), "
                              f"a change in place, and here {refusal.message[0].lower()}{refusal.message[1:]}",
                              f"read it with {name}.get(key), which adds nothing" + (f"; or {refusal.hint}" if refusal.hint else ""),
                              computable=refusal.computable, follow_on=refusal.follow_on)
        if refusal is not None:
            raise refusal

    def mutation_refusal(self, node: ast.AST, name: str, nested: bool, depth: int = 1) -> Refusal | None:
        """Why changing `name`'s list/dict (or an item of it, `depth` levels down) in place here
        would not do what Python does, or None."""
        scope, _ = self.lookup(name)
        if scope is None:
            return Refusal(node, f"'{name}' is not a variable of this function: module-level values "
                           "cannot be changed by the workflow", f"copy it first: {name}_copy = list({name})")
        if scope is not self.scope:
            return Refusal(node, f"a branch or map body cannot change '{name}', a variable of the function "
                           "around it (each branch works on a copy)", "return the new value from the branch")
        for frame in reversed(self.returned):
            held = frame.held
            if frame.scope is self.scope and name in held and (held[name][1] or nested):
                if name in frame.placeable:  # written into the result again after the block
                    frame.patched.add(name)
                    continue
                return Refusal(node, f"this finally block changes {'an item of ' if nested and not held[name][1] else ''}"
                               f"'{name}' in place after the return at line {held[name][0]} evaluated a value that "
                               "holds it: Python's result shows the change, the machine's (a copy made at the "
                               "return) would not",
                               "make the change before the return, or return a copy of what it holds "
                               "(list(...), dict(...)), which the finally block does not change")
        shared, deep = self.alias_state
        returned = self.scope.module_objects.get(name)
        if returned is not None and (name in shared or nested and deep_key(name, 1) in deep):
            callee, module_name, line = returned
            return Refusal(node, f"'{name}' may be the module-level '{module_name}' itself, which {callee}() "
                           f"returns (line {line}): in Python, changing it in place changes '{module_name}' for "
                           "every later call; in Step Functions a callee's result is a copy",
                           f"return a copy from {callee}(): copy.deepcopy({module_name}), or dict(...) / list(...) "
                           "of it")
        if name in shared:
            partners = self.scope.aliasing.partners.get(name, {}) if self.scope.aliasing is not None else {}
            dicts = [other for other in partners if (ty := self.lookup(other, record=False)[1]) is not None
                     and ty.only("dict")]
            d = dicts[0] if dicts else ""
            own = self.lookup(name, record=False)[1]
            example = (f"{d}.setdefault(k, {{}})['n'] = x, or {d}[k]['n'] += x after `if k not in {d}: {d}[k] = {{}}`"
                       if own is not None and own.only("dict") else
                       f"{d}.setdefault(k, []).append(x), or {d}[k].append(x) after `if k not in {d}: {d}[k] = []`")
            through = f"; to change the item of '{d}' itself, change it through the dict: {example}" if dicts else ""
            return Refusal(node, f"'{name}' may share its value with {self.partners_of(name)} here; "
                           "in Step Functions each variable holds its own copy, so changing it in place here "
                           "would not change the other one as Python does",
                           f"make a copy where it is assigned (e.g. {name} = list(...) or dict(...)), or build "
                           f"a new value instead of changing it{through}")
        if nested and any(deep_key(name, level) in deep for level in range(1, min(depth, DEEPEST) + 1)) \
                and not self._collected_item(node, name, depth, deep):
            return Refusal(node, f"the items of '{name}' may also be reachable from {self.partners_of(name)} (or be "
                           "one list or dict repeated, as in [[0]] * 2); changing one in place would not change the "
                           "other copy as Python does",
                           "where the values stored in them hold no list or dict, say so: annotate where they come "
                           "from (a parameter `list[dict[str, str]]`) or convert them as they are stored (str(...), "
                           "int(...)); otherwise build the new item and assign it: items[i] = {**items[i], 'k': v}")
        if name in self.loop_guarded and not (
                not nested and isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                and node.value.id == name and isinstance(node.slice, ast.Name)
                and ("at", name, node.slice.id) in self.loop_guarded):
            return Refusal(node, f"'{name}' is changed while a for loop iterates over it",
                           "iterate over a copy: for x in list(xs); or store the loop's own item by its "
                           "position: for i, x in enumerate(xs): xs[i] = ...")
        if ("keys", name) in self.loop_guarded and not nested and not (
                isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name)
                and self.key_present(name, node.slice.id)):
            return Refusal(node, f"'{name}' may gain or lose a key while a for loop iterates over its keys (Python "
                           "raises RuntimeError: dictionary changed size during iteration)",
                           f"iterate over a copy: for k in list({name}); changing the value of the loop's key is fine")
        return None

    def partners_of(self, name: str) -> str:
        """The names `name` may share a list or dict with, for a message (aliasing.partners)."""
        partners = self.scope.aliasing.partners if self.scope.aliasing is not None else {}
        found = [f"'{other}' (line {line}{self._made_for(other)})" for other, line in partners.get(name, {}).items()
                 if self.lookup(other, record=False)[0] is not None
                 and (self._may_hold_mutable(other, False) or self._may_hold_mutable(other, True))]
        if not found:
            return "another variable or container"
        return ", ".join(found[:4]) + (" or another container" if len(found) > 4 else "")

    def _made_for(self, name: str) -> str:
        """For a message: what a name the source never writes stands for (a nested function run
        inline has its parameters and its result renamed: inline_functions._expand)."""
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", self.info.source):
            return ""
        keyed = re.fullmatch(r"(.+)_key\d*", name)  # (element_aliases: `u = d.setdefault(k, ...)` is d[u_key])
        if keyed and re.search(rf"(?<![A-Za-z0-9_]){re.escape(keyed.group(1))}\s*=", self.info.source):
            return f": the key of the item '{keyed.group(1)}' names, kept by the compiler"
        return ": a nested function's result, run inline" if re.search(r"_result(_\d+)?$", name) else \
            ": a nested function's parameter, run inline"

    @contextlib.contextmanager
    def after_return(self, held: dict, placeable: frozenset = frozenset()) -> Iterator[set]:
        """Inside the with block (a finally block a `return` passes through), `held` is
        {name: (line of the return, whether the value holds name's list itself or only its
        items)}: the pending return value holds them, so changing them in place is refused,
        but for the `placeable` names (analysis/finally_returns.py), which the block's caller
        writes into the result again: it gets the set of those the block changed."""
        frame = ReturnedFrame(self.scope, held, placeable)
        self.returned.append(frame)
        try:
            yield frame.patched
        finally:
            self.returned.pop()

    # sharing, along each path (see aliasing.py) ---------------------------------------------
    def _may_hold_mutable(self, name: str, items: bool) -> bool:
        """Whether `name` (items=False) or one of its items (items=True) may be a list or
        dict: only those can be changed through another name (a str or an int cannot)."""
        scope, ty = self.lookup(name, record=False)
        if scope is None or ty is None or ty.is_any or not ty.kinds:
            return True
        if not items:
            return ty.mutable
        return (ty.may("list") and ty.element.mutable) or (ty.may("dict") and ty.values.mutable)

    def mutable_sharing(self, effect):
        """`effect` (aliasing.Sharing) without the names that hold no list or dict."""
        def keep(names, items):
            return frozenset(n for n in names if self._may_hold_mutable(n, items))
        return attrs.evolve(effect, whole=keep(effect.whole, False), items_of=keep(effect.items_of, True),
                            inside=keep(effect.inside, False), items_inside=keep(effect.items_inside, True))

    def fanout_sharing(self, value_node: ast.AST | None) -> frozenset:
        """The enclosing function's lists and dicts that an sfn.parallel branch or an sfn.map
        body in `value_node` reads: run as Python, a branch that returns one returns the
        object itself, so the result may share it (the machine hands back a copy)."""
        found: set = set()
        items: set = set()
        nested = self.scope_nested()
        for sub in ast.walk(value_node) if value_node is not None else ():
            if not (isinstance(sub, ast.Call) and self._is_fanout(sub.func)):
                continue
            arguments = [*sub.args, *(k.value for k in sub.keywords)]
            if (sub.func.id if isinstance(sub.func, ast.Name) else sub.func.attr) != "parallel":
                keywords = {k.arg: k.value for k in sub.keywords}
                given = sub.args[1] if len(sub.args) > 1 else keywords.get("items")
                arguments = [a for a in arguments if a is not given]
                if given is not None:  # an item the body returns as it is
                    items |= {n.id for n in ast.walk(given) if isinstance(n, ast.Name)}
            for arg in arguments:
                body = nested.get(arg.id, arg) if isinstance(arg, ast.Name) else arg
                found |= {n.id for n in ast.walk(body) if isinstance(n, ast.Name)}
        local = [n for n in found | items if self.lookup(n, record=False)[0] is not None]
        return frozenset(n for n in local if (n in found and self._may_hold_mutable(n, False))
                         or self._may_hold_mutable(n, True))

    def _is_fanout(self, func: ast.AST) -> bool:
        if isinstance(func, ast.Name):
            return self.lookup(func.id, record=False)[0] is None and self.info.sfn_function(func.id) in ("parallel", "map")
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and self.info.is_sfn_module(func.value.id) and func.attr in ("parallel", "map")

    def note_alias_assign(self, name: str, value_node: ast.AST | None, ty: Ty | None = None) -> None:
        """`name = value`: name is shared if the value may be another name's (or an item of
        one); names placed inside the new value become shared. A value of type `ty` that holds
        no list or dict (`d.get(k, 0) + 1`) shares nothing, whatever it was computed from."""
        if value_node is None or _scalar(ty):
            self.update_alias(unshare=[name], undeepen=[name])
            return
        fanout = self.fanout_sharing(value_node)
        if fanout:
            self.update_alias(share=fanout | {name}, deepen=fanout | {name})
            return
        if self._note_popped([name], value_node, unpacked=False):
            return
        returned = self.module_object_of(value_node)
        if returned is not None:  # the module's own object in Python; a copy in the machine
            self.scope.module_objects[name] = (*returned, getattr(value_node, "lineno", 0))
            self.update_alias(share={name}, deepen={name})
            return
        effect = self.mutable_sharing(aliasing.sharing(
            value_node, self.is_callee, lambda callee: aliasing.callee_returns_parameter(self.info.functions[callee])))
        if _flat_container(ty):  # (`[r["name"] + "!" for r in rows]` holds strs, whatever they came from)
            effect = attrs.evolve(effect, inside=frozenset(), items_inside=frozenset())
        # `items = items or []`: its own value again or a new one, shared or not as before
        own = effect.whole == {name} and not effect.items_of
        effect = attrs.evolve(effect, whole=effect.whole - {name})
        if not own:
            effect = self._note_new_value(name, effect)
        if effect.holds_shared:
            self.update_alias(share=effect.inside, deepen=effect.inside | item_keys(effect, effect.items_inside)
                              | {deep_key(name, aliasing.inside_level(value_node))})
        self.note_alias_repeat(name, effect.repeated)

    def note_alias_unpack(self, names: list[str], value_node: ast.AST | None, ty: Ty) -> None:
        """`a, b = value`: each name holds an item of the value; items that are no list or dict
        (`lo, hi = data["nums"]` of ints) share nothing, whatever holds the value."""
        if value_node is None:
            return
        if _flat_container(ty):
            self.update_alias(unshare=names, undeepen=names)
            return
        if self._note_popped(names, value_node, unpacked=True):
            return
        effect = self.mutable_sharing(aliasing.sharing(value_node))
        fanout = self.fanout_sharing(value_node)
        if fanout:
            self.update_alias(share=fanout | set(names), deepen=fanout | set(names))
        elif effect.fresh and not effect.holds_shared:
            self.update_alias(unshare=names, undeepen=names)
        else:
            self.update_alias(share=names, deepen=effect.whole | effect.items_of | effect.inside | effect.items_inside)

    def _note_popped(self, names: list[str], value_node: ast.AST | None, unpacked: bool) -> bool:
        """`inner = stack.pop()`, `k, items = queues.popitem()`: the item leaves the container,
        so the names share only what its items shared (the marks one level down in it, and
        below); the container's other items share nothing with them. False where `value_node`
        is no such pop."""
        source = aliasing.popped_from(value_node)
        if source is None or self.lookup(source, record=False)[0] is not self.scope:
            return False
        _, deep = self.alias_state
        self.update_alias(unshare=names, undeepen=names)
        targets = names[-1:] if unpacked else names  # (popitem's pair: the key is a str or an int)
        for name in targets:
            if deep_key(source, 1) in deep:
                self.update_alias(share={name})
            self.update_alias(deepen={deep_key(name, level) for level in range(1, DEEPEST)
                                      if deep_key(source, level + 1) in deep})
        return True

    def _note_new_value(self, name: str, effect: aliasing.Sharing) -> aliasing.Sharing:
        """`name` now holds the value `effect` describes (in place of whatever it held): what
        is shared now; the effect without the names whose list `name` takes over."""
        moved = self._moved(effect.whole | effect.inside)
        if moved:  # `name` takes over the list: nothing reads it through the other name again
            _, deep = self.alias_state
            whole, inside = effect.whole & moved, effect.inside & moved
            levels = range(1, DEEPEST + 1)
            carried = {deep_key(name, level) for other in whole for level in levels if deep_key(other, level) in deep}
            carried |= {deep_key(name, level + 1) for other in inside for level in levels
                        if deep_key(other, level) in deep}
            effect = attrs.evolve(effect, whole=effect.whole - moved, inside=effect.inside - moved)
            self.update_alias(undeepen=[name])
            self.update_alias(deepen=carried)
        if effect.fresh:
            self.update_alias(unshare=[name], undeepen=[] if moved else [name])
        else:
            self.update_alias(share=effect.whole | {name}, deepen=item_keys(effect, effect.items_of))
        return effect

    def note_alias_repeat(self, root: str, depth: int) -> None:
        """root's items `depth` levels down are one list or dict repeated (xs = [[0]] * 2,
        xs *= 2): changing one in place changes the others in Python."""
        if depth and (depth > 1 or self._may_hold_mutable(root, True)):
            self.update_alias(deepen=[deep_key(root, depth)])

    def module_object_of(self, value_node: ast.AST | None) -> tuple[str, str] | None:
        """(callee, module-level name) where `value_node` is a callee's result, or an item of
        it, that may be a list, dict or set the callee's module holds (aliasing
        .callee_returns_module_object), else None."""
        node = value_node
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and self.is_callee(node.func.id)
                and node.func.id in self.info.functions):
            return None
        found = aliasing.callee_returns_module_object(self.info.functions[node.func.id], self._mutable_global)
        return (node.func.id, found) if found is not None else None

    def _mutable_global(self, name: str) -> bool:
        if name in self.info.functions or name not in self.info.objects:
            return False
        return _holds_container(self.info.objects[name])

    def held_by(self, value_node: ast.AST) -> tuple[frozenset, frozenset]:
        """(names whose list or dict the value of `value_node` may hold, as itself or inside
        it; names only whose items it may hold)."""
        effect = self.mutable_sharing(aliasing.sharing(
            value_node, self.is_callee, lambda callee: aliasing.callee_returns_parameter(self.info.functions[callee])))
        whole = effect.whole | effect.inside | self.fanout_sharing(value_node)
        return whole, (effect.items_of | effect.items_inside) - whole

    def _moved(self, names: frozenset) -> frozenset:
        """The names in `name = other` whose list passes to `name` without being shared: read
        nowhere else in the function (no loop runs the statement again), not shared already."""
        if self.scope.aliasing is None or any(isinstance(c, LoopContext) for c in self.scope.contexts):
            return frozenset()
        shared, _ = self.alias_state
        return frozenset(n for n in names if self.scope.aliasing.uses.get(n, 0) == 1 and n not in shared
                         and self.lookup(n, record=False)[0] is self.scope)

    def note_alias_store(self, root: str, value_node: ast.AST | None, depth: int = 1, ty: Ty | None = None) -> None:
        """A value placed inside `root`, `depth` levels down (xs.append(v), d[k] = v: 1;
        d[k].append(v): 2): v's value is now shared, and so are root's items that deep."""
        if value_node is None or _scalar(ty):
            return
        fanout = self.fanout_sharing(value_node)
        if fanout:
            self.update_alias(share=fanout, deepen=fanout | {deep_key(root, depth)})
        if self.module_object_of(value_node) is not None:
            self.update_alias(deepen={deep_key(root, depth)})
        effect = self.mutable_sharing(aliasing.sharing(
            value_node, self.is_callee, lambda callee: aliasing.callee_returns_parameter(self.info.functions[callee])))
        if not effect.fresh or effect.holds_shared:
            # the value itself may be shared: root's items at `depth`; only what it holds: as deep
            # as the first object it takes from elsewhere sits in it (`{"names": list(r["names"])}`
            # holds r's items two levels down: its dict and list are new, changeable in place)
            at = depth if not effect.fresh else depth + aliasing.inside_level(value_node)
            self.update_alias(share=effect.whole | effect.inside,
                              deepen=item_keys(effect, effect.items_of | effect.items_inside) | effect.whole | effect.inside
                              | {deep_key(root, at)})
        if effect.repeated:
            self.update_alias(deepen=[deep_key(root, depth + effect.repeated)])

    def note_alias_items(self, root: str, value_node: ast.AST, depth: int = 1) -> None:
        """xs.extend(ys), d.update(e), xs += ys: root now holds items of the others."""
        effect = self.mutable_sharing(aliasing.sharing(value_node))
        names = effect.whole | effect.items_of | effect.inside | effect.items_inside
        if names:
            self.update_alias(deepen=names | {deep_key(root, depth)})
        if effect.repeated:
            self.update_alias(deepen=[deep_key(root, depth + effect.repeated - 1)])

    def note_loop_alias(self, target: ast.AST, iterable: ast.AST, item: Ty | None = None) -> None:
        """`for target in iterable`: the target may share the items it walks, unless they are of
        a type that holds no list or dict (`item`: a dict's keys of `for k in sorted(d)`)."""
        sources = frozenset(n for n in aliasing.loop_sources(iterable) if self._may_hold_mutable(n, True))
        names = aliasing._names(target)
        if sources and not _scalar(item):
            self.update_alias(share=names, deepen=sources)
        else:
            self.update_alias(unshare=names, undeepen=names)

    def enter_loop(self, node: ast.AST) -> None:
        """At a loop head: what the end of the body shared (last pass) holds here too."""
        shared, deep = self.scope.loop_alias.get(id(node), (frozenset(), frozenset()))
        self.update_alias(share=shared, deepen=deep, fresh=False)

    def back_edge(self, node: ast.AST) -> None:
        shared, deep = self.alias_state
        deep = frozenset(key for key in deep if not key.startswith(_FRESH))  # (a new pass is a new item)
        old_shared, old_deep = self.scope.loop_alias_new.get(id(node), (frozenset(), frozenset()))
        self.scope.loop_alias_new[id(node)] = (old_shared | shared, old_deep | deep)

    @contextlib.contextmanager
    def collecting(self, container: str, index: str) -> Iterator[None]:
        """Within the block, a loop by index (`for i in range(len(rows))`, `rows[i]` its item,
        nothing else of `rows` mentioned: element_aliases.mentions_only_item) changes each item
        once: the items an earlier pass stored elsewhere (`keep.append(rows[i])`) are not this
        pass's, so their sharing does not stop a change of `rows[i]` (_collected_item)."""
        _, deep = self.alias_state
        key = (container, index)
        self.collect_loops[key] = deep
        try:
            yield
        finally:
            self.collect_loops.pop(key, None)

    def _collected_item(self, node: ast.AST, name: str, depth: int, deep: frozenset) -> bool:
        """A change of `name[i]` (`depth` levels down) in a loop `collecting` name by `i` whose
        marks of shared items come from earlier passes only: none was there when the loop
        started, none was made in this pass (the "fresh" marks update_alias adds)."""
        root = node
        while not (isinstance(root, ast.Subscript) and isinstance(root.value, ast.Name)):
            if isinstance(root, ast.Call) and isinstance(root.func, ast.Attribute):
                root = root.func.value
            elif isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            else:
                return False
        if root.value.id != name or not isinstance(root.slice, ast.Name):
            return False
        entry = self.collect_loops.get((name, root.slice.id))
        if entry is None:
            return False
        marks = [deep_key(name, level) for level in range(1, min(depth, DEEPEST) + 1)]
        return not any(mark in entry or _FRESH + mark in deep for mark in marks if mark in deep)

    def current_handler_var(self, node: ast.AST) -> str:
        if not self.handler_stack:
            raise Refusal(node, "a bare raise outside an except block",
                          "raise an exception: raise ValueError('...')")
        return self.handler_stack[-1].var


class Lowering(Protocol):
    """What lowering gives the builder (lowering/visitor.py): the graph layer never imports
    lowering, so a transform recurses through the builder, which calls back into this."""

    def expression(self, b: Builder, node: ast.AST) -> Expr: ...

    def call(self, b: Builder, node: ast.Call, target: str | None = None) -> Expr: ...

    def block(self, b: Builder, statements: list[ast.stmt]) -> None: ...


class Builder(BuilderHelpers):
    def __init__(self, info: ModuleInfo, lambda_arn: str, lowering: Lowering):
        self._init_helpers()
        self.info = info
        self.lambda_arn = lambda_arn
        self.lowering = lowering
        self.problems: list[Problem] = []
        self.scope: Scope | None = None
        self.pending: list[Hole] = []
        self.marks: list[Label] = []
        self.callees: dict[str, Any] = {}  # name -> function the machine calls
        self.statement: ast.stmt | None = None  # the statement being lowered
        self.statement_text = ""
        # compute_in_lambda (lowering/lambda_compute.py): statements refused as computable (ids, kept
        # across passes), the blocks carved around them, and the functions generated for them
        self.compute_in_lambda = False
        self.compute_marks: set = set()  # ids of statements of the module's tree (alive while it is)
        self.compute_source: frozenset | None = None
        self.computed_blocks: dict = {}
        self.computed_names: dict = {}
        self.compute_loads: dict = {}
        self.callees_computed: dict = {}  # payload name -> lambda_compute.ComputedFunction
        # the machine stores an int dict key somewhere (ir.encodes_int_keys, decided by a pass of
        # lower_scope, which then lowers again): every dict's keys may come out as ints
        self.int_keys = False
        self.int_key_lines: tuple = ()  # (line, text) of the state that first stores a key that may be an int
        # hidden variables set only for the history to show (print's line, a log record): a
        # straight-line block folded into one state keeps setting them (pure_loops)
        self.shown: set[str] = set()
        self.kind_vars: set[str] = set()  # the companions of kind_pairs (graph/unread_assigns.py)

    def assign_shown(self, name: str, expr: Expr, title: str) -> None:
        """Set a hidden variable that nothing reads, for the execution's history to show."""
        self.shown.add(name)
        self.assign([(name, expr)], title)

    @property
    def key_type(self) -> Ty:
        """The type of a key that comes out of a dict (iteration, keys(), items())."""
        return pytypes.KEY if self.int_keys else pytypes.STR

    # -- recursion into lowering (dispatched by the visitor) ---------------------------------
    def expr(self, node: ast.AST) -> Expr:
        """The value of a sub-expression, lowered by the transform for its kind."""
        return self.lowering.expression(self, node)

    def call(self, node: ast.Call, target: str | None = None) -> Expr:
        """A call; `target` (an ASL variable) receives a Task's result directly."""
        return self.lowering.call(self, node, target)

    def block(self, statements: list[ast.stmt]) -> None:
        """The states of a block of statements, each lowered by the transform for its kind."""
        self.lowering.block(self, statements)

    # -- problems --------------------------------------------------------------------------
    def error(self, node: ast.AST, message: str, hint: str = "") -> None:
        line = getattr(node, "lineno", 1) or 1
        col = (getattr(node, "col_offset", 0) or 0) + 1
        problem = Problem(self.info.path, line, col, message, hint)
        if problem not in self.problems:
            self.problems.append(problem)

    def refuse(self, node: ast.AST, message: str, hint: str = ""):
        raise Refusal(node, message, hint)

    # -- the graph -------------------------------------------------------------------------
    @property
    def reachable(self) -> bool:
        return bool(self.pending)

    @property
    def defined(self) -> frozenset:
        result = None
        for hole in self.pending:
            if "*" in hole.defined:  # a hole that does not constrain (any variable may be set)
                continue
            result = hole.defined if result is None else result & hole.defined
        return frozenset(["*"]) if result is None else result

    @property
    def alias_state(self) -> tuple[frozenset, frozenset]:
        """(names whose value another place may share, names whose items may be shared)."""
        shared: frozenset = frozenset()
        deep: frozenset = frozenset()
        for hole in self.pending:
            shared |= hole.shared
            deep |= hole.deep
        return shared, deep

    def update_alias(self, share=(), unshare=(), deepen=(), undeepen=(), fresh: bool = True) -> None:
        """`fresh`: the marks `deepen` adds for the items of a list a loop is collecting are
        this pass's own (a "fresh" mark beside each: _collected_item)."""
        deepen = frozenset(deepen)
        if fresh and self.collect_loops:
            containers = {container for container, _ in self.collect_loops}
            deepen |= {_FRESH + key for key in deepen if key.split("[", 1)[0] in containers}
        for hole in self.pending:
            hole.shared = (hole.shared - frozenset(unshare)) | frozenset(share)
            gone = frozenset(deep_key(name, level) for name in undeepen for level in range(1, DEEPEST + 1))
            hole.deep = (hole.deep - gone) | deepen

    def is_defined(self, asl_name: str) -> bool:
        defined = self.defined
        return "*" in defined or asl_name in defined

    def add(self, node: ir.Node, assigned: frozenset = frozenset()) -> ir.Node:
        """Point every pending transition at `node`; it becomes the current position."""
        if self.in_jsonata_function:  # a state would read the function's unbound parameters
            raise Refusal(self.statement, "this expression needs a state (a callee call, a wait or an in-place "
                          "change) inside a part evaluated as one JSONata expression (a comprehension condition "
                          "or item, a generator, a key function)",
                          "compute it in a for loop first, then use the results")
        if self.statement is not None:
            node.describe(self.statement.lineno, self.statement_text)
        if not self.pending:  # unreachable code: built for its problems, never emitted
            self.marks = []
            return node
        defined = self.defined | assigned
        shared, deep = self.alias_state
        for hole in self.pending:
            hole.fill(node)
        for label in self.marks:
            label.node = node
            for hole in label.holes:
                hole.fill(node)
            label.holes = []
        self.marks = []
        self.pending = [Hole(node, "next", defined, shared, deep)] if hasattr(node, "next") else []
        return node

    def then(self, holes: list[Hole]) -> None:
        self.pending = holes

    def hole(self, obj: Any, attr: str, defined: frozenset | None = None, assigned: frozenset = frozenset()) -> Hole:
        """A hole from the current position (its alias state), with `defined` variables."""
        shared, deep = self.alias_state
        base = self.defined if defined is None else defined
        return Hole(obj, attr, base | assigned, shared, deep)

    def mark(self, label: Label) -> None:
        """The next node added is where `label` points."""
        if label.node is not None:
            raise AssertionError("label placed twice")
        self.pending = self.pending + label.holes
        label.holes = []
        self.marks.append(label)

    def jump(self, label: Label, assign: frozenset = frozenset()) -> None:
        for hole in self.pending:
            hole.defined = hole.defined | assign
            label.add(hole)
        self.pending = []

    def fork(self, title: str, test: Expr, assign: dict | None = None) -> tuple[list, list]:
        """A Choice on the boolean `test` (its guards first, in order): the holes where it
        holds (setting `assign` on the way) and where it does not."""
        if not self.reachable:
            return [], []
        choice = self.guard_choice(title, test.guards)
        rule = ir.Rule(ir.Code(test.code, test.helpers), dict(assign or {}))
        choice.rules.append(rule)
        holds = self.hole(rule, "next", assigned=frozenset(rule.assign))
        fails = self.hole(choice, "default")
        self.add(choice)
        return [holds], [fails]

    def merge_target(self):
        """The node the next assignments may join: a Pass (or a guard Choice's default)
        that is the only way here, with no label pointing at the current position."""
        if len(self.pending) != 1 or self.marks:
            return None
        hole = self.pending[0]
        if isinstance(hole.obj, ir.Pass) and hole.attr == "next":
            return hole.obj
        if isinstance(hole.obj, ir.Choice) and hole.attr == "default" and getattr(hole.obj, "mergeable", False):
            return hole.obj
        return None

    # -- variables -------------------------------------------------------------------------
    def var(self, name: str, scope: Scope | None = None) -> str:
        """The ASL variable that holds the Python local `name`."""
        scope = scope or self.scope
        if name not in scope.names:
            base = name if scope.kind == "entry" else f"{scope.name}_{name}"
            if base in JSONATA_NAMES:
                base += "_"
            taken = self.asl_names
            candidate = base
            while candidate in taken or any(candidate in s.names.values() for s in self.scopes() if s is not scope):
                candidate += "_"
            scope.names[name] = candidate
            taken.add(candidate)
        return scope.names[name]

    def scopes(self):
        scope = self.scope
        while scope is not None:
            yield scope
            scope = scope.outer

    def kind_unseen(self, node: ast.AST) -> bool:
        """Whether nothing observes whether `node`'s number is an int or a float
        (analysis/blind_numbers.py): its own stop for an integral float result may go."""
        return any(scope.blind_numbers is not None and scope.blind_numbers.unseen(node, lambda name, scope=scope: (
            name in scope.kinds_tracked and name not in scope.kind_lost_new)) for scope in self.scopes())

    def kind_printed(self, node: ast.AST) -> bool:
        """Whether `node` is blind only given the kind its value carries (printed directly:
        BlindNumbers.printed): without one, its stop stays."""
        return any(scope.blind_numbers is not None and scope.blind_numbers.printed_by_kind(node)
                   for scope in self.scopes())

    def kind_lost(self, node: ast.AST) -> bool:
        """Whether `node`'s value may be a number whose int-or-float kind the machine lost."""
        return any(scope.blind_numbers is not None and scope.blind_numbers.lost(node) for scope in self.scopes())

    def temp(self, hint: str = "t") -> str:
        self.scope.temp_count += 1
        return f"{self.scope.prefix}{hint}{self.scope.temp_count}"

    def lookup(self, name: str, record: bool = True):
        """(scope, Ty) of the Python local `name` visible here, or (None, None); `record`
        notes the read for type inference (a read sees the variable's final type)."""
        for scope in self.scopes():
            if name in scope.locals:
                for frame in reversed(self.narrowed):
                    if name in frame and frame[name][0] is scope:
                        return scope, frame[name][1]
                known = scope.types.get(name)
                seen = scope.new_types.get(name)  # set earlier in this pass
                ty = (pytypes.join(known, seen) if known is not None else seen) if seen is not None else known
                ty = ty if ty is not None else pytypes.NOTHING
                if record:
                    scope.reads[name] = ty if name not in scope.reads or scope.reads[name] == ty else None
                return scope, ty
        return None, None

    @contextlib.contextmanager
    def narrow(self, types: dict) -> Iterator[None]:
        """Within this context, these names have these (narrower) types: a comprehension's
        variable (which shadows a local) in a frame of its own over its binding."""
        frame, bound = {}, {}
        for name, ty in types.items():
            holder = next((f for f in reversed(self.bindings) if name in f), None)
            if holder is not None:
                code, _, *rest = holder[name]
                bound.setdefault(type(holder), {})[name] = (code, ty, *rest)
                continue
            scope, _ = self.lookup(name)
            if scope is not None:
                frame[name] = (scope, ty)
        with contextlib.ExitStack() as stack:
            stack.enter_context(_Pushed(self.narrowed, frame))
            for cls, names in bound.items():
                stack.enter_context(_Pushed(self.bindings, cls(names)))
            yield

    def keys_present(self, container: str, key: str):
        """Within this context the local `key` is a key of the dict `container` (a loop over
        its keys whose body neither removes keys nor rebinds either name): `container[key]`
        needs no KeyError check."""
        return _Pushed(self.present_keys, (self.scope, container, key))

    def key_present(self, container: str, key: str) -> bool:
        return any(scope is self.scope and (c, k) == (container, key) for scope, c, k in self.present_keys)

    def keys_stable(self) -> bool:
        """No function whose variables are visible here takes a key out of a dict: a dict's
        type tells which keys it holds (Ty.present)."""
        return all(scope.keys_stable for scope in self.scopes())

    def narrow_rest(self, types: dict) -> None:
        """From here to the end of the enclosing block (after `if x is None: return`)."""
        frame = {}
        for name, ty in types.items():
            scope, _ = self.lookup(name)
            if scope is not None:
                frame[name] = (scope, ty)
        self.narrowed.append(frame)
        if self.block_frames:
            self.block_frames[-1].append(frame)

    def read_in_enclosed_scope(self, node: ast.Name) -> bool:
        """Whether this read is a lambda's, a comprehension's or an inlined nested function's
        (inline_functions marks those), of a name of the function."""
        return id(node) in self.scope.enclosed_reads or getattr(node, "pysfn_free", False)

    def narrow_rest_frames(self, frames: list) -> None:
        """What a block narrowed to its end (`ended_frames` after it), from here to the end of
        the enclosing block: where only that block's normal end comes here (the other branch
        of an `if`, or every handler of a `try`, left)."""
        for frame in frames:
            self.narrowed.append(frame)
            if self.block_frames:
                self.block_frames[-1].append(frame)

    def narrow_assigned(self, name: str, ty: Ty) -> None:
        """After `name = value` (a statement): to the end of the block, the name holds that
        value's type, not the union of all it is assigned (`ratio = a / b` then `round(ratio, 3)`,
        where `ratio = None` elsewhere). Only for values no change in place can make another
        type (numbers, strs, bools, None): a list's items may change through another name."""
        if ty.kinds and ty.kinds <= _IMMUTABLE and name not in self.scope.closure_reads:
            self.narrow_rest({name: ty})

    def loop_rebinds(self, loop: ast.AST) -> None:
        """At a loop: what a test before it narrowed is forgotten for the names the loop binds
        (its back edge brings their new values to every read inside it, also the reads above
        the assignment: `if t is None: return`, then `for c in cs: use(t); t = get(c)`)."""
        names = ast_edits.bound_names(loop)
        for frame in self.narrowed:
            for name in names:
                frame.pop(name, None)

    def kind_var(self, name: str, scope: Scope | None = None) -> str:
        """The hidden variable that says whether the number the local `name` holds is a float."""
        scope = scope or self.scope
        var = f"{scope.prefix}float_{self.var(name, scope)}"
        self.kind_vars.add(var)
        return var

    def kind_pairs(self, name: str, value: Expr) -> list[tuple[str, Expr]]:
        """`name = value` of a name that may hold an int or a float: the assignment of its
        companion (none where the name has none; where the value's kind is unknown, the name
        loses it from the next pass on)."""
        scope = self.scope
        if name not in scope.kinds_tracked:
            return []
        kind = float_kind(value)
        if kind is None:
            scope.kind_lost_new.add(name)
            return []
        return [(self.kind_var(name), kind)]

    def read_kind(self, name: str, scope: Scope, ty: Ty) -> Expr | None:
        """Whether the local `name`, read here with type `ty` (ints and floats, or numbers of
        unknown type), is a float: its companion."""
        if not (mixed_number(ty) or ty.json_number) or name not in scope.kinds_tracked \
                or name in scope.kind_lost_new:
            return None
        var = self.kind_var(name, scope)
        return Expr("$" + var, pytypes.BOOL, reads=frozenset([var]))

    def note_type(self, name: str, ty: Ty, kinded: bool = False) -> None:
        """`name` is bound to a value of type `ty` here; `kinded`: with its companion's value,
        if it has one (kind_pairs), else a name with a companion loses it."""
        if not kinded and name in self.scope.kinds_tracked:
            self.scope.kind_lost_new.add(name)
        # after an assignment the name holds what the test had narrowed it to (on paths that
        # did not assign it) or the new value (`if t is None: continue`, then `if f: t = t * 1.8`:
        # never None); at a loop, loop_rebinds forgets the narrowing first
        for frame in self.narrowed:
            if name in frame:
                frame[name] = (frame[name][0], pytypes.join(frame[name][1], ty))
        scope = self.scope
        scope.new_types[name] = pytypes.widen(scope.new_types.get(name), ty) if name in scope.new_types else ty

    def note_item_store(self, name: str, ty: Ty) -> None:
        """`name[k] = v` (or deeper): as note_type, but a change of an item keeps the
        container's kind, so what a test narrowed the name to stays that kind (`rows`, checked
        to be a list, is a list after `rows[i]["total"] = v`), with the function's type for
        the rest (which covers the new items)."""
        kept = [(frame, frame[name]) for frame in self.narrowed if name in frame]
        self.note_type(name, ty)
        for frame, (scope, narrowed) in kept:
            if scope is self.scope:
                frame[name] = (scope, pytypes.restrict(self.lookup(name, record=False)[1], narrowed.kinds))

    # -- exceptions ------------------------------------------------------------------------
    def raise_label(self) -> Label:
        """Where an exception nobody in this scope catches goes: a Fail state reading the
        exception record (`$__exc`)."""
        scope = self.scope
        if scope.raise_label is None:
            label = Label("raise")
            title = "Raise uncaught exception" if scope.kind == "entry" else f"Raise from {scope.name}"
            label.node = self.raise_node(title, self.exc_record("$" + scope.exc_var))
            scope.raise_label = label
        return scope.raise_label

    def exc_record(self, code: str) -> dict:
        """The exception record at `code` ({"type", "message"}) to carry on. Where the module
        has an sfn.Fail that may have no cause, also its `nocause` (true for such a Fail; left
        out of every other record, where it is undefined)."""
        rec = {"type": ir.Code(f"{code}.type"), "message": ir.Code(f"{code}.message")}
        if self.info.fails_without_cause():
            rec["nocause"] = ir.Code(f"{code}.nocause")
        return rec

    @staticmethod
    def raise_node(title: str, rec: dict) -> ir.Node:
        """The Fail state raising the record `rec`: an sfn.Fail with no cause ends the execution
        with none (Python's outcome has no cause, which an empty Cause is not), so a record that
        may say `nocause` chooses between a Fail without a Cause and one with it."""
        nocause = rec.get("nocause")
        if nocause is True:
            return ir.Fail(title=title, error=rec["type"])
        fail = ir.Fail(title=title, error=rec["type"], cause=rec["message"])
        if nocause is None or nocause is False:
            return fail
        bare = ir.Fail(title=f"{title} (no cause)", error=rec["type"])
        condition = ir.Code(f"({nocause.text}) = true", nocause.helpers)
        fail.title = f"{title} (its cause)"
        return ir.Choice(title=title, rules=[ir.Rule(condition, next=bare)], default=fail)

    def abort_label(self, error: str, cause: str) -> Label:
        """A Fail state for a failure that is not a Python exception (handlers skip it)."""
        key = (error, cause)
        if key not in self.scope.abort_nodes:
            label = Label(error)
            label.node = ir.Fail(title=f"Stop: {error}", error=error, cause=cause)
            self.scope.abort_nodes[key] = label
        return self.scope.abort_nodes[key]

    def route(self, cls: type | None, rec: dict, skip: int = 0, shared: bool = False) -> tuple[dict, Label]:
        """Where an exception raised here goes, and the variables to set on the way.

        `cls` is its class when known at compile time (the handler is chosen now), None
        when only the run time knows (a dispatch Choice chooses). `rec` is its record
        {"type", "message"} (JSON with Code values).
        """
        contexts = self.scope.contexts
        for index in range(len(contexts) - 1 - skip, -1, -1):
            context = contexts[index]
            if not isinstance(context, TryContext):
                continue
            if context.in_body and context.handlers:
                if cls is None:
                    return {self.scope.exc_var: rec}, self.dispatch_label(index)
                for handler in context.handlers:
                    if not handler.classes or issubclass(cls, handler.classes):
                        return ({handler.var: rec} if handler.var else {}), handler.label
            if context.finally_label is not None:
                context.kinds.add("raise")
                return {context.finally_var: {"kind": "raise", "exc": rec}}, context.finally_label
        if cls is None:
            return {self.scope.exc_var: rec}, self.raise_label()
        if shared and isinstance(rec["type"], str):
            return {self.scope.exc_var: {"message": rec["message"]}}, self.shared_fail_label(rec["type"])
        return {}, self.fail_label(rec)

    def shared_fail_label(self, name: str) -> Label:
        """One Fail state per exception class in a scope, for the checks Choice rules make
        (each rule sets the message): `Raise KeyError` rather than one state per check."""
        key = ("class", name)
        if key not in self.scope.abort_nodes:
            label = Label(name)
            label.node = ir.Fail(title=f"Raise {name}", error=name, cause=ir.Code(f"${self.scope.exc_var}.message"))
            self.scope.abort_nodes[key] = label
        return self.scope.abort_nodes[key]

    def fail_label(self, rec: dict) -> Label:
        label = Label("fail")
        name = rec["type"] if isinstance(rec["type"], str) else "exception"
        label.node = self.raise_node(f"Raise {name}", rec)
        if self.statement is not None:
            label.node.describe(self.statement.lineno, self.statement_text)
        return label

    def dispatch_label(self, index: int) -> Label:
        """A Choice over `$__exc.type` choosing the handler of the try at `index`."""
        context: TryContext = self.scope.contexts[index]
        if context.dispatch is None:
            exc = "$" + self.scope.exc_var
            node = ir.Choice(title=f"Which handler (line {context.node.lineno})")
            context.dispatch = Label("dispatch")
            context.dispatch.node = node
            for handler in context.handlers:
                if any(cls is aws.ServiceError for cls in handler.classes):
                    raise Refusal(handler.node, "except sfn.aws.ServiceError here would choose by the exception's "
                                  "class name, known only at run time (raised again from a finally or a handler): "
                                  "it cannot tell which names are service errors",
                                  "catch the service's errors by their classes, or catch sfn.aws.ServiceError "
                                  "in a try around the service call itself")
                names = error_equals(handler.classes, self.info.lambda_modules(), self.info.local_exceptions(),
                                     self.info.objects)
                assign = {handler.var: ir.Code(exc)} if handler.var else {}
                if names == ["States.ALL"]:
                    condition = ir.Code("true")
                else:
                    condition = ir.Code(f"{exc}.type in {_jsonata_list(names)}")
                rule = ir.Rule(condition, assign)
                node.rules.append(rule)
                handler.label.add(self.hole(rule, "next", frozenset(["*"])))
            rec = self.exc_record(exc)
            if context.finally_label is not None:  # no handler matches: this try's finally first
                context.kinds.add("raise")
                assign, label = {context.finally_var: {"kind": "raise", "exc": rec}}, context.finally_label
            else:
                saved = self.scope.contexts
                self.scope.contexts = saved[:index]
                try:
                    assign, label = self.route(None, rec)
                finally:
                    self.scope.contexts = saved
            node.default_assign = {k: v for k, v in assign.items() if k != self.scope.exc_var}
            label.add(self.hole(node, "default", frozenset(["*"])))
        return context.dispatch

    def catchers(self, source: str, error_names=None, record: dict | None = None) -> list[ir.Catcher]:
        """The Catch list of a Task, Parallel or Map here: Python's handlers in order, as
        ErrorEquals over class names; `source` is "task" (a Lambda cause to unpack) or
        "branch" (the cause is the message already). An AWS service call (`source` "service")
        gives `error_names(classes)`, the names its Task may fail with that the handler
        catches ([]: none, the handler is left out), and the exception `record`."""
        message = "$__exc_message($states.errorOutput.Cause)" if source == "task" else \
            "($c := $states.errorOutput.Cause; $type($c) = 'string' ? $c : '')"
        helpers = frozenset({"exc_message"}) if source == "task" else frozenset()
        rec = record or {"type": ir.Code("$states.errorOutput.Error"), "message": ir.Code(message, helpers)}
        result: list[ir.Catcher] = []
        contexts = self.scope.contexts
        for index in range(len(contexts) - 1, -1, -1):
            context = contexts[index]
            if not isinstance(context, TryContext):
                continue
            if context.in_body:
                for handler in context.handlers:
                    if error_names is None and any(cls is aws.ServiceError for cls in handler.classes):
                        raise Refusal(handler.node, "except sfn.aws.ServiceError catches here what a callee or "
                                      "branch raises, which the machine knows by its class name only: it cannot "
                                      "tell which of those are service errors",
                                      "catch the service's errors by their classes (sfn.aws.dynamodb."
                                      "ConditionalCheckFailedException), or Exception; or put the service calls "
                                      "in a try of their own")
                    names = error_names(handler.classes) if error_names is not None \
                        else error_equals(handler.classes, self.info.lambda_modules(),
                                          self.info.local_exceptions(), self.info.objects)
                    if not names:
                        continue
                    catcher = ir.Catcher(names, {handler.var: rec} if handler.var else {})
                    handler.label.add(self.hole(catcher, "next", assigned=frozenset(catcher.assign)))
                    result.append(catcher)
                    if names == ["States.ALL"]:
                        return self._machine_errors_uncaught(result, source)
            if context.finally_label is not None:
                context.kinds.add("raise")
                catcher = ir.Catcher(["States.ALL"], {context.finally_var: {"kind": "raise", "exc": rec}})
                context.finally_label.add(self.hole(catcher, "next"))
                result.append(catcher)
                return self._machine_errors_uncaught(result, source)
        if source == "branch" and self.info.fails_without_cause() and not self.scope.child:
            return result  # (a Catch would hand on an empty Cause where a branch's sfn.Fail has none)
        result.append(self._uncaught(["States.ALL"], source, rec))
        return result

    def _uncaught(self, errors: list[str], source: str, rec: dict) -> ir.Catcher:
        """A catcher of `errors` to the Fail of an exception nobody in this scope catches (a
        callee's, whose cause is Lambda's error record, where `source` is "task")."""
        if source == "task":  # the Fail reads the error output itself: no Assign per Task
            catcher = ir.Catcher(errors, keep_error=True)
            self.callee_raise_label().add(self.hole(catcher, "next"))
        else:
            catcher = ir.Catcher(errors, {self.scope.exc_var: rec})
            self.raise_label().add(self.hole(catcher, "next"))
        return catcher

    def _machine_errors_uncaught(self, result: list[ir.Catcher], source: str) -> list[ir.Catcher]:
        """A state's own JSONata failing (States.QueryEvaluationError: an expression over the
        engine's limits, a value of a kind the code did not expect) is no Python exception:
        `except Exception` (States.ALL) or a finally must not take it as one, so the execution
        fails with it as if nothing caught it."""
        rec = {"type": ir.Code("$states.errorOutput.Error"), "message": ir.Code("$states.errorOutput.Cause")}
        catcher = self._uncaught([QUERY_EVALUATION_ERROR], "branch", rec)
        catcher.check = "the state's own expression failed, which is no Python exception"
        return [catcher, *result]

    def callee_raise_label(self) -> Label:
        """Where a callee's exception nobody in this scope catches goes: a Fail state whose
        input is the error output, with the Lambda's JSON cause unpacked to str(e)."""
        key = ("callee",)
        if key not in self.scope.abort_nodes:
            label = Label("callee")
            title = "Raise callee exception" + ("" if self.scope.kind == "entry" else f" from {self.scope.name}")
            cause = ("($c := $states.input.Cause; $type($c) != 'string' ? '' : $substring($c, 0, 16) ="
                     " '{\"errorMessage\":' ? $parse($c).errorMessage : $c)")  # jsonata_lib's exc_message
            label.node = ir.Fail(title=title, error=ir.Code("$states.input.Error"), cause=ir.Code(cause))
            label.node.check = "an exception nobody catches"
            self.scope.abort_nodes[key] = label
        return self.scope.abort_nodes[key]

    # -- guarded evaluation ----------------------------------------------------------------
    def guard_choice(self, title: str, guards) -> ir.Choice:
        """A Choice (not yet added) with one rule per guard, in evaluation order: the first
        that holds raises. A comprehension's guards share one search over its items (a Scan):
        where more than one text would read it, a state before their rules computes it once,
        into a variable the rules read (the guards before them stay in a Choice of their own,
        ahead of that state)."""
        # a search that one text alone reads (one rule's condition) is written once anyway:
        # it stays there, with no state of its own
        texts: dict = {}
        for guard in guards:
            if guard.scan is not None:
                texts[guard.scan] = texts.get(guard.scan, 0) + guard.scan_texts()
        guards = [guard.inline() if guard.scan is not None and texts[guard.scan] == 1 else guard
                  for guard in guards]
        choice = ir.Choice(title=title)
        bound = None  # (scan, variable) the rules read
        for guard in guards:
            if guard.scan is not None and (bound is None or bound[0] != guard.scan):
                if choice.rules:  # the guards before it first: a Choice whose default computes it
                    choice.mergeable = True
                    self.add_check(choice)
                    choice = ir.Choice(title=title)
                bound = (guard.scan, self.bind_scan(guard.scan, title))
            if guard.scan is not None:
                guard = guard.reading(bound[1])
            self.guard_rule(guard, choice)
        return choice

    def bind_scan(self, scan, title: str) -> str:
        """A variable set to `scan`'s result on the way here: by the Assign of the state that
        leads here when it sets nothing the scan reads, else by a Pass."""
        variable = self.temp("ff")
        value = ir.Code(scan.code, scan.helpers)
        target = self.merge_target()
        if target is not None:
            existing = target.assign if isinstance(target, ir.Pass) else target.default_assign
            if not (scan.reads & set(existing)) and len(existing) < 30:
                existing[variable] = value
                if self.statement is not None:
                    target.describe(self.statement.lineno, self.statement_text)
                hole = self.pending[0]
                hole.defined = hole.defined | {variable}
                return variable
        self.add(ir.Pass(title=f"Search items for {title}", assign={variable: value}), frozenset([variable]))
        return variable

    def guard_rule(self, guard, choice: ir.Choice) -> None:
        """The rule that raises `guard`'s exception where its cond holds."""
        # a check the compiler adds, except an assert's: the source's own branch
        rule = ir.Rule(ir.Code(guard.cond, guard.helpers),
                       check="" if guard.error is AssertionError and not guard.abort
                       else guard.error.__name__ if guard.error is not None and not guard.abort
                       else guard.error_name or "exception")
        if guard.abort:
            self.abort_label(guard.error_name, guard.message_literal or "").add(
                self.hole(rule, "next", frozenset(["*"])))
        else:
            rec = record(guard)
            assign, label = self.route(guard.error, rec, shared=True)
            if guard.costly is not None and (assign or isinstance(label.node, ir.Fail)):  # the message is read
                cost, cause = guard.costly
                self.guard_rule(Guard(f"({guard.cond}) and ({cost})", None, "''", guard.helpers, guard.reads,
                                      abort=True, error_name=UNSUPPORTED, message_literal=cause), choice)
            rule.assign = assign
            label.add(self.hole(rule, "next", assigned=frozenset(assign)))
        choice.rules.append(rule)

    def _fold_into_task(self, pairs: list) -> bool:
        """`y = f(x) + 1`: the Task that called f sets y itself (its result, in its Assign)
        instead of a hidden variable and a Pass."""
        if len(self.pending) != 1 or self.marks:
            return False
        hole = self.pending[0]
        task = hole.obj
        if not isinstance(task, ir.Task) or hole.attr != "next" or len(task.assign) != 1:
            return False
        (temp, code), = task.assign.items()
        # a service call's result is its response less metadata (lowering/service_calls.py)
        if not isinstance(code, ir.Code) or (code.text != _RESULT and not task.resource) \
                or not temp.startswith(self.scope.prefix) or temp in self.no_fold:
            return False
        result = code.text if code.text == _RESULT else f"({code.text})"
        if not all(temp in e.reads for _, e in pairs[:1]) or any(name == temp for name, _ in pairs):
            return False
        folded = {}
        for name, expr in pairs:
            value = _code(expr)
            if isinstance(value, ir.Code):
                value = ir.Code(_fold(value.text, temp, result), value.helpers | code.helpers)
            folded[name] = value
        task.assign = folded
        if self.statement is not None:
            task.describe(self.statement.lineno, self.statement_text)
        hole.defined = (hole.defined - {temp}) | frozenset(folded)
        return True

    def check(self, exprs: list[Expr], title: str) -> None:
        """Evaluate the guards of `exprs` (a Choice state) before the code that uses them."""
        guards = [g for e in exprs for g in e.guards]
        if not guards or not self.reachable:
            return
        choice = self.guard_choice(title, guards)
        choice.mergeable = True
        self.add_check(choice)

    def add_check(self, choice: ir.Choice) -> None:
        """Add a Choice of guard rules; its default is the way on."""
        # what is known here (assigned variables, sharing) holds on the default path too: a
        # Choice has no `next`, so add() leaves no hole to carry it
        defined, (shared, deep) = self.defined, self.alias_state
        self.add(choice)
        self.pending = [Hole(choice, "default", defined, shared, deep)]

    def assign(self, pairs: list[tuple[str, Expr]], title: str) -> None:
        """Set ASL variables to expressions (evaluated together, then assigned), merging
        into the previous Pass when nothing here reads what it sets."""
        exprs = [e for _, e in pairs]
        bulky = {name for name, e in pairs if _bulky(e)}
        if not any(e.guards for e in exprs) and self._fold_into_task(pairs):
            return
        if any(e.guards for e in exprs):
            self.check(exprs, title)
            if not self.reachable:
                return
            target = self.merge_target()
            # the guard Choice's default takes the assignment itself
            target.default_assign.update({name: _code(e) for name, e in pairs})
            target.bulky |= bulky
            target.title = title
            self.pending = [self.hole(target, "default", assigned=frozenset(n for n, _ in pairs))]
            return
        target = self.merge_target()
        if target is not None:
            existing = target.assign if isinstance(target, ir.Pass) else target.default_assign
            reads = frozenset().union(*(e.reads for e in exprs)) if exprs else frozenset()
            names = {n for n, _ in pairs}
            # (AWS limits one Assign's values to 256 KB together: two collections' worth of data
            # may pass it where each alone fits, so each gets a state of its own)
            if not (reads & set(existing)) and not (names & set(existing)) and len(existing) < 30 \
                    and len(target.bulky | bulky) <= 1:
                existing.update({name: _code(e) for name, e in pairs})
                target.bulky |= bulky
                if self.statement is not None:
                    target.describe(self.statement.lineno, self.statement_text)
                target.title = _merge_titles(target.title, title)
                hole = self.pending[0]
                hole.defined = hole.defined | names
                return
        node = ir.Pass(title=title, assign={name: _code(e) for name, e in pairs}, bulky=bulky)
        self.add(node, frozenset(n for n, _ in pairs))


_RESULT = "$states.result.Payload"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
_IMMUTABLE = frozenset({"int", "float", "bool", "str", "none"})


_WALKS = ("$join(", "$reduce(", "$map(", "$filter(", "$__map(", "$__filter(")


def _bulky(expr: Expr) -> bool:
    """Whether a value may be as large as a collection of unknown size: a list, a dict, a value
    of unknown type, a str built from a list's items (not a literal)."""
    if expr.const is not Expr.NO_CONST:
        return False
    ty = expr.ty
    return not ty.kinds or ty.is_any or ty.may("list", "dict") or (
        ty.may("str") and any(walk in expr.code for walk in _WALKS))


def _scalar(ty: Ty | None) -> bool:
    """A value of this type is never a list or dict (so never shares one)."""
    return ty is not None and bool(ty.kinds) and not ty.mutable


def _flat_container(ty: Ty | None) -> bool:
    """A list or dict of this type holds no list or dict as an item: nothing inside it can be
    another name's (the container itself can be, or be another's item)."""
    if ty is None or not ty.kinds or ty.is_any or not ty.mutable:
        return False
    return not ((ty.may("list") and ty.element.mutable) or (ty.may("dict") and ty.values.mutable))


_FRESH = "fresh:"  # beside a mark of shared items made in this pass of a collecting loop
DEEPEST = aliasing.DEEP_LEVELS  # sharing is tracked this many levels down; deeper counts as this deep


def item_keys(effect: aliasing.Sharing, names) -> frozenset:
    """The sharing state's keys for "items of these names are shared", each at the level the
    value reads them from (`rows[i]["qty"]`: the objects in `rows`'s items, not its items)."""
    return frozenset(deep_key(name, effect.depth(name)) for name in names)


def deep_key(name: str, depth: int) -> str:
    """How the sharing state names "the items of `name` `depth` levels down may be shared (and
    so everything inside them)": the name itself for its items, name + "[]" for the items of
    its items, and so on (`DEEPEST` and below: one key). Changing in place an object `depth`
    levels down is refused when any level down to it is marked; a value of unknown kind stored
    three levels down (`d[k]["lines"].append(v)`) marks that level only, so changing the list
    two levels down stays allowed."""
    return name + "[]" * (min(max(depth, 1), DEEPEST) - 1)


def item_depth(node: ast.AST) -> int:
    """How many subscripts down from its variable `node` is (xs: 0, xs[i]: 1, xs[i][k]: 2)."""
    depth = 0
    while isinstance(node, ast.Subscript):
        node, depth = node.value, depth + 1
    return depth


def _fold(code: str, temp: str, result: str = _RESULT) -> str:
    return re.sub(re.escape("$" + temp) + r"(?![A-Za-z0-9_])", lambda _: result, code)


def _code(expr: Expr) -> Any:
    """A field value: a JSON literal when the expression is a constant, else "{% %}"."""
    if expr.const is not Expr.NO_CONST and _plain_json(expr.const):
        return _as_json(expr.const)
    return ir.Code(expr.code, expr.helpers)


def _plain_json(value: Any) -> bool:
    if isinstance(value, str):
        return not (value.startswith("{%") and value.endswith("%}"))
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (bool, int)) or value is None:
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    return False


def _as_json(value: Any) -> Any:
    """A constant as the definition holds it: a tuple is a JSON array (a list), as json.dumps
    writes it and as the emulator, given the definition in memory, expects it."""
    if isinstance(value, (list, tuple)):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _merge_titles(first: str, second: str) -> str:
    if first.startswith("Set ") and second.startswith("Set "):
        return first + ", " + second[4:]
    return first


def _jsonata_list(names: list[str]) -> str:
    return jsonata_lib.literal(list(names))


def _holds_container(obj, depth: int = 0) -> bool:
    """Whether a module-level value is, or a tuple holding, a list, dict or set."""
    if isinstance(obj, (list, dict, set)):
        return True
    return isinstance(obj, tuple) and depth < 8 and any(_holds_container(item, depth + 1) for item in obj)
