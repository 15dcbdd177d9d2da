"""JSONata text: quoting, and the helper functions compiled expressions call.

JSONata has no place for shared function definitions in a state machine (variables hold JSON,
not functions), so a field that needs a helper starts with its definition:
`( $__truthy := function($v){...}; <expression> )`. Helpers are named `$__...`; workflow
variables never start with `__` (the compiler refuses such Python names), so nothing shadows.

Each helper keeps Python's meaning where JSONata's own function differs:
  - `[$v]` flattens an array `$v` into the new array, and `$map`/`$filter` unwrap a single
    result, so lists are built with `$__wrap` (a one-element list holding `$v` as it is);
  - JSONata's truthiness of `[0]` is false; Python's is true (`$__truthy`);
  - `$string` keeps 15 significant digits; `$formatNumber($n, '0')` (`int_text`) prints
    any int up to 2**53 exactly, in jsonata-js and in the emulator;
  - `%` is truncated (JavaScript's), Python's floors (`$__imod`, `$__ffloordiv`, ...).
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata


def _set_item(kind: str) -> str:
    """The one-item array of a set's new item `$v` (one of kind `_eq` may be an array itself)."""
    return "$__wrap($v)" if kind == "eq" else "[$v]"


def _set_item_helpers(kind: str) -> tuple[str, ...]:
    return ("wrap",) if kind == "eq" else ()


def _unprintable(name: str, non_integral: str) -> str:
    """The body of helper `name`: whether a number in `$v` (in its lists and dicts too) prints
    otherwise than in Python, an integral one past 2**53 or a non-integral one below 1e-4
    unless `non_integral` (the text closing that test) says otherwise."""
    return ("($t := $type($v); $t = 'number' ? $not(($floor($v) = $v and $abs($v) <= 9007199254740991)"
            f" or ($floor($v) != $v and $abs($v) >= 0.0001{non_integral})"
            f" : $t = 'array' ? $reduce($v, function($a, $e) {{ $a or $__{name}($e) }}, false)"
            f" : $t = 'object' ? $reduce($__keys($v), function($a, $k) {{ $a or $__{name}($lookup($v, $k)) }}, false)"
            " : false)")


# name -> (parameters, body, helpers it calls)

# The characters of lowercase text that str.casefold() changes further (Python 3.11, Unicode
# 14.0: a lowercase letter folds to other letters, or to uppercase Cherokee), but for ß, ς, µ
# and ſ, which casefold() replaces: tests/compile/test_text_helpers.py checks it against Python
CASEFOLD_STOPS = ("\\u0149\\u01f0\\u0345\\u0390\\u03b0\\u03d0\\u03d1\\u03d5\\u03d6\\u03f0\\u03f1\\u03f5\\u0587"
                  "\\u13f8-\\u13fd\\u1c80-\\u1c88\\u1e96-\\u1e9b\\u1f50\\u1f52\\u1f54\\u1f56\\u1f80-\\u1f87"
                  "\\u1f90-\\u1f97\\u1fa0-\\u1fa7\\u1fb2-\\u1fb4\\u1fb6\\u1fb7\\u1fbe\\u1fc2-\\u1fc4\\u1fc6"
                  "\\u1fc7\\u1fd2\\u1fd3\\u1fd6\\u1fd7\\u1fe2-\\u1fe4\\u1fe6\\u1fe7\\u1ff2-\\u1ff4\\u1ff6\\u1ff7"
                  "\\uab70-\\uabbf\\ufb00-\\ufb06\\ufb13-\\ufb17")
CASEFOLD_REPLACED = {"ß": "ss", "ς": "σ", "µ": "μ", "ſ": "s"}

# The characters up to U+FFFF that Python's repr() escapes (str.isprintable() is false: Cc, Cf,
# Zs but the space, Zl, Zp, Co; unicodedata 14.0, Python 3.11), as a regex class; and beyond,
# as the UTF-16 surrogate pairs a JavaScript regex sees, those of planes 4 to 16, where no
# Unicode version has assigned a printable one: the tags U+E0000-E007F (in flag emoji),
# U+E0080-E00FF and U+E01F0 on (unassigned), the private use planes 15 and 16. Other
# unassigned code points (Cn), and the few format characters of planes 1 to 3, are not in
# them: README, differences.
_UNPRINTABLE = ("\\u0000-\\u001f\\u007f-\\u00a0\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891"
                "\\u08e2\\u1680\\u180e\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u2064\\u2066-\\u206f\\u3000"
                "\\ue000-\\uf8ff\\ufeff\\ufff9-\\ufffb")
_UNPRINTABLE_PAIRS = "\\uDB40[\\uDC00-\\uDCFF\\uDDF0-\\uDFFF]|[\\uD8C0-\\uDB3F\\uDB41-\\uDBFF][\\uDC00-\\uDFFF]"

REPEAT_MAX = 10_000_000  # characters or items of `s * n` (JSONata's limit for a range too)
REPEAT_LIMIT = f"a repetition of over {REPEAT_MAX:,} characters or items"

HELPERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "wrap": ("$v", "$type($v) = 'array' ? [[$v]] : [$v]", ()),
    "truthy": (
        "$v",
        "($t := $type($v); $t = 'array' ? $count($v) > 0 : $t = 'object' ? $count($keys($v)) > 0"
        " : $boolean($v))",
        (),
    ),
    "pytype": (
        "$v",
        "($t := $type($v); $t = 'null' ? 'NoneType' : $t = 'boolean' ? 'bool' : $t = 'string' ? 'str'"
        " : $t = 'array' ? 'list' : $t = 'object' ? 'dict' : $floor($v) = $v ? 'int' : 'float')",
        (),
    ),
    # an int as Python prints it; the call sites write int_text() in place of a helper call
    "istr": ("$n", "$formatNumber($n, '0')", ()),
    "imod": ("$a, $b", "($r := $a % $b; ($r != 0 and ($r < 0) != ($b < 0)) ? $r + $b : $r)", ()),
    "ffloordiv": (
        "$a, $b",
        "($m := $a % $b; $d := ($a - $m) / $b; $d := ($m != 0 and ($b < 0) != ($m < 0)) ? $d - 1 : $d;"
        " $f := $floor($d); $d - $f > 0.5 ? $f + 1 : $f)",
        (),
    ),
    "ipow": (
        # a power past 2**53 - 1 stops squaring (the result's overflow check stops the machine):
        # the number stays finite, which jsonata-js and jsonata-python would treat differently
        "$b, $e",
        "$e = 0 ? 1 : ($h := $__ipow($b, $floor($e / 2)); $abs($h) > 9007199254740991 ? $h"
        " : $e % 2 = 0 ? $h * $h : $h * $h * $b)",
        (),
    ),
    "repr_str": (
        # one pass escapes the backslash and the characters Python escapes (\\xNN, \\uNNNN,
        # \\UNNNNNNNN: the code point from the character's UTF-8 bytes), a second the quote
        "$s",
        "($q := ($contains($s, \"'\") and $not($contains($s, '\"'))) ? '\"' : \"'\";"
        " $q & $replace($replace($s, /[\\\\" + _UNPRINTABLE + "]|" + _UNPRINTABLE_PAIRS + "/, function($m) { '\\\\' & ($c := $m.match;"
        " $c = '\\\\' ? $c : $c = '\\n' ? 'n' : $c = '\\r' ? 'r' : $c = '\\t' ? 't'"
        " : ($b := $split($substring($encodeUrlComponent($c), 1), '%').$number('0x' & $);"
        " $p := $reduce($b, function($a, $x) { $a * 64 + $x % 64 }) - [0, 12288, 917504, 62914560][$count($b) - 1];"
        " $w := $p < 256 ? 2 : $p < 65536 ? 4 : 8;"
        " $substring('xu U', $w / 2 - 1, 1) & $substring($formatBase($p + $power(16, $w), 16), 1))) }),"
        " $q, '\\\\' & $q) & $q)",
        (),
    ),
    "index": (
        "$n, $i",
        "$i < 0 ? $n + $i : $i",
        (),
    ),
    "slice_bounds": (
        # Python's slice.indices(n) for a step of 1 or -1; returns [start, stop]
        "$n, $lo, $hi, $step",
        "$step > 0"
        " ? [($lo = null ? 0 : $lo < 0 ? $max([0, $n + $lo]) : $min([$lo, $n])),"
        "    ($hi = null ? $n : $hi < 0 ? $max([0, $n + $hi]) : $min([$hi, $n]))]"
        " : [($lo = null ? $n - 1 : $lo < 0 ? $max([-1, $n + $lo]) : $min([$lo, $n - 1])),"
        "    ($hi = null ? -1 : $hi < 0 ? $max([-1, $n + $hi]) : $min([$hi, $n - 1]))]",
        (),
    ),
    # xs[lo:hi] and s[lo:hi] (a step of 1, the common case) without Python's clamping of the
    # bounds to 0..n where it changes nothing: an index $i of the list is never below 0 nor
    # beyond it, so i >= n + lo (lo < 0) is i >= max(0, n + lo), i >= lo is i >= min(lo, n),
    # the same for the stop; a stop past the end takes the rest, as $substring's length does.
    # The list is walked once (linear: `$xs[$k]` walks the list for every $k)
    "slice1_list": (
        "$xs, $lo, $hi",
        "($n := $count($xs); $start := $lo = null ? 0 : $lo < 0 ? $n + $lo : $lo;"
        " $stop := $hi = null ? $n : $hi < 0 ? $n + $hi : $hi;"
        " $reduce($xs, function($acc, $v, $i) { $i >= $start and $i < $stop ? $append($acc, $__wrap($v)) : $acc }, []))",
        ("wrap",),
    ),
    "slice1_str": (
        # a negative start would count from the end in $substring: it is clamped to 0
        "$s, $lo, $hi",
        "($n := $length($s); $start := $lo = null ? 0 : $lo < 0 ? $max([0, $n + $lo]) : $lo;"
        " $stop := $hi = null ? $n : $hi < 0 ? $n + $hi : $hi;"
        " $stop > $start ? $substring($s, $start, $stop - $start) : '')",
        (),
    ),
    # a str's characters as Python sees them: jsonata-js's $split(s, '') gives a character
    # beyond U+FFFF (an emoji) as its two UTF-16 halves; $substring counts code points
    "chars": (
        "$s",
        "($c := $split($s, ''); $count($c) = $length($s) ? $c"
        " : [$map([1..$length($s)], function($i) { $substring($s, $i - 1, 1) })])",
        (),
    ),
    # a value ordered as Python orders it: jsonata-js compares strings by UTF-16 code units, which
    # puts U+E000-U+FFFF after the surrogates of the characters beyond U+FFFF; a U+D7FF put
    # before each of those (and before U+D7FF itself) restores code point order in both engines
    "cpk": (
        "$v",
        "$type($v) = 'string' ? $replace($v, /[\\uD7FF\\uE000-\\uFFFF]/, '\\uD7FF$0') : $v",
        (),
    ),
    # xs[lo:hi:step]: the list walked once, keeping the indexes the slice takes (reversed for a
    # negative step); `$xs[$k]` for each index would walk the list for every item it takes
    "slice_list": (
        "$xs, $lo, $hi, $step",
        "($b := $__slice_bounds($count($xs), $lo, $hi, $step); $s := $b[0]; $e := $b[1];"
        " $step > 0 ? $__filter($xs, function($v, $i) { $i >= $s and $i < $e and ($i - $s) % $step = 0 })"
        " : $reverse($__filter($xs, function($v, $i) { $i <= $s and $i > $e and ($s - $i) % (0 - $step) = 0 })))",
        ("slice_bounds", "filter"),
    ),
    # del xs[lo:hi:step]: the items whose index the slice does not take
    "delslice": (
        "$xs, $lo, $hi, $step",
        "($b := $__slice_bounds($count($xs), $lo, $hi, $step); $s := $b[0]; $e := $b[1];"
        " $__filter($xs, function($v, $i) { $not($step > 0 ? $i >= $s and $i < $e and ($i - $s) % $step = 0"
        " : $i <= $s and $i > $e and ($s - $i) % (0 - $step) = 0) }))",
        ("slice_bounds", "filter"),
    ),
    "slice_str": (
        "$s, $lo, $hi, $step",
        "$step = 1 ? ($n := $length($s); $b := $__slice_bounds($n, $lo, $hi, 1);"
        " $b[1] > $b[0] ? $substring($s, $b[0], $b[1] - $b[0]) : '')"
        " : $join($__slice_list($__chars($s), $lo, $hi, $step), '')",
        ("slice_bounds", "slice_list", "chars"),
    ),
    "map": (
        # $map that always returns a list and keeps list elements as they are: JSONata returns a
        # sequence of one as its item (a list item as its items), none as nothing (linear, where
        # a $reduce of $append would copy the list on every item)
        "$xs, $f",
        "($r := $map($xs, $f); $count($xs) = 1 ? $__wrap($r) : $exists($r) ? $r : [])",
        ("wrap",),
    ),
    "filter": (
        "$xs, $f",
        "$reduce($xs, function($acc, $v, $i) { $f($v, $i) ? $append($acc, $__wrap($v)) : $acc }, [])",
        ("wrap",),
    ),
    "append": ("$xs, $v", "$append($xs, $__wrap($v))", ("wrap",)),
    "insert": (
        "$xs, $i, $v",
        "($n := $count($xs); $k := $i < 0 ? $max([0, $n + $i]) : $min([$i, $n]);"
        " $append($append($__slice1_list($xs, 0, $k), $__wrap($v)), $__slice1_list($xs, $k, null)))",
        ("slice1_list", "wrap"),
    ),
    "setitem": (
        "$xs, $i, $v",
        "$__map($xs, function($x, $k) { $k = $i ? $v : $x })",
        ("map",),
    ),
    "delitem": (
        # (the caller has checked $i: one item goes) a native $filter, linear where $__filter's
        # $reduce of $append copies the list per item; its sequence of one is its item (a list
        # item as its items): the two-item list's one left is wrapped again
        "$xs, $i",
        "($r := $filter($xs, function($x, $k) { $k != $i }); $count($xs) = 2 ? $__wrap($r) : $exists($r) ? $r : [])",
        ("wrap",),
    ),
    "setkey": (
        "$d, $k, $v",
        "$merge([$d, {$k: $v}])",
        (),
    ),
    "delkey": (
        "$d, $k",
        "($r := $sift($d, function($v, $key) { $key != $k }); $exists($r) ? $r : {})",
        (),
    ),
    "iter": ("$v", "($t := $type($v); $t = 'array' ? $v : $t = 'string' ? $__chars($v) : $__keys($v))",
             ("keys", "chars")),
    # a number of unknown type (pytypes' rule: integral means int) as Python prints it; the
    # caller has checked with $__unprintable that $string gives Python's repr digits
    "jnum": ("$n", "$floor($n) = $n ? $formatNumber($n, '0') : $string($n)", ()),
    # a float's repr where $__unprintable found it printable: an integral one with '.0'
    "pyfloat": ("$n", "($a := $abs($n); $a < 0.0001 and $n != 0 or $a >= 1e16 ? $__fexp($n)"
                " : $floor($n) = $n ? $formatNumber($n, '0') & '.0'"
                " : ($s := $string($n); $number($s) = $n ? $s : $__frepr($n)))", ("frepr", "fexp")),
    # whether a number in `$v` prints otherwise than in Python (jnum's numbers of unknown type:
    # $string's 15 digits must read back; unprintable_float's floats: pyfloat prints them exactly)
    "unprintable": ("$v", _unprintable("unprintable", " and $number($string($v)) = $v)"), ("keys",)),
    "unprintable_float": ("$v", _unprintable("unprintable_float", ") or (($abs($v) < 0.0001 or $abs($v) >= 1e16)"
                                                                  " and $number($string($v)) = $v)"), ("keys",)),
    "pyrepr": (
        # numbers as $__jnum prints them; JSONata's own $map and $each keep the items' texts
        # apart (they are strings)
        "$v",
        "($t := $type($v); $t = 'null' ? 'None' : $t = 'boolean' ? ($v ? 'True' : 'False')"
        " : $t = 'number' ? ($floor($v) = $v ? $formatNumber($v, '0') : $string($v))"
        " : $t = 'string' ? $__repr_str($v) : $t = 'array' ? '[' & $join($map($v, $__pyrepr), ', ') & ']'"
        " : '{' & $join($each($v, function($x, $k) { $__repr_str($k) & ': ' & $__pyrepr($x) }), ', ') & '}')",
        ("repr_str",),
    ),
    # arithmetic on operands whose types are known only at run time (lowering/operations.py)
    "num": ("$v", "$type($v) = 'boolean' ? ($v ? 1 : 0) : $v", ()),
    # Python's TypeError message for `c[i]`, both of unknown type, or '' when Python indexes
    "suberr": (
        "$c, $i",
        "($tc := $type($c); $ti := $type($i); $int := $ti = 'boolean' or ($ti = 'number' and $floor($i) = $i);"
        " $not($tc in ['array', 'string', 'object']) ? \"'\" & $__pytype($c) & \"' object is not subscriptable\""
        " : $tc = 'array' and $not($int) ? 'list indices must be integers or slices, not ' & $__pytype($i)"
        " : $tc = 'string' and $not($int) ? \"string indices must be integers, not '\" & $__pytype($i) & \"'\""
        " : $tc = 'object' and $ti in ['array', 'object'] ? \"unhashable type: '\" & $__pytype($i) & \"'\" : '')",
        ("pytype",),
    ),
    "repeat": (
        # `s * n` of a str or a list: by doubling (a copy of each size once, not n growing copies);
        # past 10,000,000 characters or items, JSONata's error, as a range that long (a caller
        # that knows the kinds stops before: operations._repeat)
        "$s, $n",
        f"($t := $type($s) = 'string'; $n <= 0 ? ($t ? '' : []) : ($t ? $length($s) : $count($s)) * $n > {REPEAT_MAX}"
        f" ? $error('{REPEAT_LIMIT}')"
        " : ($r := function($k) { $k = 1 ? $s : ($h := $r($floor($k / 2)); $e := $k % 2 = 1 ? $s : $t ? '' : [];"
        " $t ? $h & $h & $e : $append($append($h, $h), $e)) }; $r($n)))",
        (),
    ),
    # the value of `a + b`, `a * b`, `a // b` once $__addok/$__mulok have passed (the operands are two
    # numbers or bools, or what Python concatenates or repeats): one helper per operator, so
    # that a field defines the operators it uses only; `-`, `/` and `%` are written in place
    "add": (
        "$a, $b",
        "($t := $type($a); $t = 'string' ? $a & $b : $t = 'array' ? $append($a, $b) : $__num($a) + $__num($b))",
        ("num",),
    ),
    "mul": (
        "$a, $b",
        "$type($a) in ['string', 'array'] ? $__repeat($a, $__num($b))"
        " : $type($b) in ['string', 'array'] ? $__repeat($b, $__num($a)) : $__num($a) * $__num($b)",
        ("num", "repeat"),
    ),
    "floordiv": (
        "$a, $b",
        "($x := $__num($a); $y := $__num($b);"
        " ($floor($x) = $x and $floor($y) = $y) ? $floor($x / $y) : $__ffloordiv($x, $y))",
        ("num", "ffloordiv"),
    ),
    # why the machine stops after arithmetic on numbers of unknown type that gave `$r` (pytypes'
    # rule: integral means int): 'overflow', an int result beyond 2**53 - 1; 'float', an
    # integral result of an operand that is not (0.5 * 2), which JSON cannot carry as the float
    # Python has; else ''. Called once $__addok/$__mulok have passed: a number `$r` came of two numbers
    # (or bools), any other operands give a str or a list
    "numstop": (
        "$r, $a, $b",
        "($type($r) = 'number' and $floor($r) = $r) ? (($x := $__num($a); $y := $__num($b);"
        " $floor($x) = $x and $floor($y) = $y) ? ($abs($r) > 9007199254740991 ? 'overflow' : '') : 'float') : ''",
        ("num",),
    ),
    # `v in c` for a container of unknown type: '' when Python can answer, else its TypeError
    "inerr": (
        "$v, $c",
        "($tc := $type($c); $tv := $type($v);"
        " $tc = 'string' ? ($tv = 'string' ? '' : \"'in <string>' requires string as left operand, not \""
        " & $__pytype($v)) : $tc = 'object' ? ($tv in ['array', 'object'] ? \"unhashable type: '\""
        " & $__pytype($v) & \"'\" : '') : $tc = 'array' ? ''"
        " : \"argument of type '\" & $__pytype($c) & \"' is not iterable\")",
        ("pytype",),
    ),
    "pyin": (
        "$v, $c",
        "($tc := $type($c); $tc = 'string' ? $contains($c, $v)"
        " : $tc = 'object' ? ($type($v) = 'string' and $exists($lookup($c, $v))) : $__contains($c, $v))",
        ("contains",),
    ),
    # sum() of items of unknown type: the total, or (a str) Python's TypeError at the first item
    # that is not a number
    "sumerr": (
        "$xs, $s",
        "$reduce($xs, function($acc, $x) { $type($acc) = 'string' ? $acc : $type($x) in ['number', 'boolean']"
        " ? $acc + $__num($x) : \"unsupported operand type(s) for +: '\" & $__pytype($acc) & \"' and '\""
        " & $__pytype($x) & \"'\" }, $s)",
        ("num", "pytype"),
    ),
    # whether Python can order these values without TypeError the way JSONata orders them:
    # all numbers (and bools), or all strings
    "orderable": (
        "$ks",
        "($t := $map($ks, function($k) { $type($k) = 'boolean' ? 'number' : $type($k) });"
        " $count($t) <= 1 or ($count($distinct($t)) = 1 and $distinct($t) in ['number', 'string']))",
        (),
    ),
    # min()/max()'s TypeError, as Python meets it: each key after the first compared with the
    # best so far (`k < best` for min, `k > best` for max, op `$o`); a number (or bool) with a
    # number and a str with a str compare, anything else raises; "!" for two lists (compared
    # item by item: the machine stops), null where none raises
    "minmax_err": (
        "$ks, $o",
        "($c := function($v) { ($t := $type($v); $t in ['number', 'boolean'] ? 'n' : $t = 'string' ? 's' : $t) };"
        " $r := $reduce($ks, function($a, $k) { $exists($a.e) ? $a : $a.f ? {'m': $k}"
        " : ($ck := $c($k); $cm := $c($a.m); $ck = $cm and $ck in ['n', 's']"
        " ? {'m': (($ck = 'n' ? ($o = '<' ? $__num($k) < $__num($a.m) : $__num($k) > $__num($a.m))"
        " : ($o = '<' ? $__cpk($k) < $__cpk($a.m) : $__cpk($k) > $__cpk($a.m))) ? $k : $a.m)}"
        " : $ck = 'array' and $cm = 'array' ? {'e': '!'}"
        " : {'e': \"'\" & $o & \"' not supported between instances of '\" & $__pytype($k) & \"' and '\""
        " & $__pytype($a.m) & \"'\"}) }, {'f': true}); $r.e)",
        ("num", "cpk", "pytype"),
    ),
    "pystr": ("$v", "$type($v) = 'string' ? $v : $__pyrepr($v)", ("pyrepr",)),
    # $keys gives a single key as a string and no keys as nothing; $append makes both a list
    "keys": ("$d", "$append([], $keys($d))", ()),
    "values": ("$d", "$__map($__keys($d), function($k) { $lookup($d, $k) })", ("map", "keys")),
    "items": ("$d", "$__map($__keys($d), function($k) { $append([$k], $__wrap($lookup($d, $k))) })",
              ("map", "keys", "wrap")),
    "pynorm": (
        # a value with its bools as 0 and 1, so that Python's == is JSONata's deep `=` (True == 1,
        # [True] == [1.0], {"a": False} == {"a": 0}); a part whose JSON text holds no `true` or
        # `false` is returned as it is (one test, no walk)
        "$v",
        "$type($v) = 'boolean' ? ($v ? 1 : 0) : $type($v) in ['array', 'object'] and $contains($string($v), /true|false/)"
        " ? ($n := function($x) { $type($x) = 'boolean' ? ($x ? 1 : 0) : $type($x) in ['array', 'object'] ? $__pynorm($x) : $x };"
        " $type($v) = 'array' ? $__map($v, $n) : $merge([{}, $map($keys($v), function($k) { {$k: $n($lookup($v, $k))} })])) : $v",
        ("map",),
    ),
    "pyeq": (
        # Python ==: JSONata's deep equality of the values with their bools as 0 and 1 (a walk
        # of the two lists item by item read `$b[$i]` per item, n * n)
        "$a, $b",
        "$type($a) = 'array' and $type($b) = 'array' and $count($a) != $count($b) ? false : $__pynorm($a) = $__pynorm($b)",
        ("pynorm",),
    ),
    # a scalar, the other scalar Python counts equal to it (True for 1, 0 for False), or itself: the
    # scalar $v is in a list where `$v in $xs or $__twin($v) in $xs` (JSONata's `in` is ===)
    "twin": (
        "$v",
        "$type($v) = 'number' ? ($v = 1 ? true : $v = 0 ? false : $v) : $type($v) = 'boolean' ? ($v ? 1 : 0) : $v",
        (),
    ),
    "contains": (
        "$xs, $v",
        "$type($v) in ['string', 'number', 'boolean', 'null'] ? ($v in $xs or $__twin($v) in $xs)"
        " : ($w := $__pynorm($v); $exists($__pynorm($xs)[$ = $w]))",
        ("pynorm", "twin"),
    ),
    # sets (lowering/sets.py): an array of distinct items; each helper comes in three kinds, by
    # the membership test: `_in` JSONata's `in`, `_has` Python's == (True == 1), `_eq` Python's
    # == item by item (tuples: arrays, which `in` never finds)
    # str.format() of a template known at run time only (lowering/builtins.py _str_format):
    # `$pos` the positional arguments, `$named` the keyword ones, each {"s": str(), "r": repr()};
    # the text, or the first error Python meets walking the template ({"type", "message"}; type
    # "!" for what the machine does not do: a non-empty format spec, an attribute or an index,
    # `!a`, a name repr() would escape). A field is parsed as Python's MarkupIterator parses it:
    # the name up to the first `:` or `!` (any text: `{ x}` is a KeyError), a conversion of one
    # character then `:` or the end, Python's errors for what it cannot parse, in its order
    # (parsing, then the lookup, then the conversion)
    "format_rt": (
        "$t, $pos, $named",
        "($err := function($type, $message) { {'err': {'type': $type, 'message': $message}} };"
        " $out := function($a, $text, $auto) { {'out': $a.out & $text, 'n': $a.n + 1, 'auto': $auto} };"
        " $range := function($k) { $err('IndexError', 'Replacement index ' & $k & ' out of range for positional args tuple') };"
        " $unsupported := function($f) { $err('!', 'the format field {' & $f & '}') };"
        " $value := function($a, $name) { $name = '' ? ($a.auto < 0 ? $err('ValueError', 'cannot switch from manual"
        " field specification to automatic field numbering') : $a.auto >= $count($pos) ? $range($a.auto)"
        " : {'v': $pos[$a.auto], 'auto': $a.auto + 1})"
        " : $contains($name, /^[0-9]+$/) ? ($a.auto > 0 ? $err('ValueError', 'cannot switch from automatic field"
        " numbering to manual field specification') : ($k := $number($name); $k >= $count($pos) ? $range($k)"
        " : {'v': $pos[$k], 'auto': -1}))"
        " : $exists($lookup($named, $name)) ? {'v': $lookup($named, $name), 'auto': $a.auto}"
        " : $err('KeyError', \"'\" & $name & \"'\") };"
        " $field := function($a, $f, $lit) { ($name := $replace($f, /[:!][\\s\\S]*$/, ''); $rest := $substring($f, $length($name));"
        " $conv := $substring($rest, 0, 1) = '!'; $cv := $conv ? $substring($rest, 1, 1) : '';"
        " $after := $conv ? $substring($rest, 2) : $rest;"
        " $conv and $cv = '' ? $unsupported($f)"
        " : $after != '' and $substring($after, 0, 1) != ':' ? $err('ValueError', \"expected ':' after conversion specifier\")"
        " : $length($after) > 1 or $cv = 'a' or ($cv != '' and $not($contains($cv, /^[!-~]$/)))"
        " or $contains($name, /^[0-9]{16,}$/) or $not($contains($name, /^[ -&\\(-\\-\\/-Z\\]-~]*$/)) ? $unsupported($f)"
        " : ($got := $value($a, $name); $exists($got.err) ? $got"
        " : $cv != '' and $not($cv in ['r', 's']) ? $err('ValueError', 'Unknown conversion specifier ' & $cv)"
        " : $out($a, $lit & ($cv = 'r' ? $got.v.r : $got.v.s), $got.auto))) };"
        " $parts := $split($t, /\\{\\{|\\}\\}|\\{[^{}]*\\}|[{}]/);"
        " $toks := $append([], $match($t, /\\{\\{|\\}\\}|\\{[^{}]*\\}|[{}]/).match);"
        " $r := $reduce($toks, function($a, $tok) {"
        " $exists($a.err) ? $a : ($lit := $parts[$a.n];"
        " $tok = '{{' ? $out($a, $lit & '{', $a.auto) : $tok = '}}' ? $out($a, $lit & '}', $a.auto)"
        " : $tok = '}' ? $err('ValueError', \"Single '}' encountered in format string\")"
        " : $tok = '{' ? ($after := $join($map([$a.n + 1..$count($parts) - 1], function($j) {"
        " ($j > $a.n + 1 ? $toks[$j - 1] : '') & $parts[$j] }));"
        " $not($exists($after)) or $after = '' ? $err('ValueError', \"Single '{' encountered in format string\")"
        " : ($c := $match($after, /[{}:!\\[]/, 1).match;"
        " $not($exists($c)) ? $err('ValueError', \"expected '}' before end of string\")"
        " : $c = '{' ? $err('ValueError', \"unexpected '{' in field name\")"
        " : $err('!', 'a format string with a { that opens no field')))"
        " : $field($a, $substring($tok, 1, $length($tok) - 2), $lit))"
        " }, {'out': '', 'n': 0, 'auto': 0});"
        " $exists($r.err) ? $r.err : $r.out & $parts[$r.n])",
        (),
    ),
    "set_in": ("$s, $v", "$v in $s", ()),
    "set_eq": ("$s, $v", "$__contains($s, $v)", ("contains",)),
    "set_has": ("$s, $v", "$type($v) = 'boolean' ? ($v in $s or ($v ? 1 : 0) in $s)"
                " : $type($v) = 'number' and ($v = 0 or $v = 1) ? ($v in $s or ($v = 1) in $s) : $v in $s", ()),
    # (an item of kind `_eq` may be an array: `$__wrap` keeps it one item)
    **{f"set_add_{kind}": ("$s, $v", f"$__set_{kind}($s, $v) ? $s : $append($s, {_set_item(kind)})",
                           (f"set_{kind}", *_set_item_helpers(kind))) for kind in ("in", "has", "eq")},
    **{f"set_of_{kind}": ("$xs", f"$reduce($xs, function($a, $v) {{ $__set_{kind}($a, $v) ? $a : $append($a, {_set_item(kind)}) }}, [])",
                          (f"set_{kind}", *_set_item_helpers(kind))) for kind in ("in", "has", "eq")},
    **{f"set_within_{kind}": ("$a, $b", f"$count($__filter($a, function($x) {{ $not($__set_{kind}($b, $x)) }})) = 0",
                              ("filter", f"set_{kind}")) for kind in ("in", "has", "eq")},
    "list_index": (
        "$xs, $v",
        "$type($v) in ['string', 'number', 'boolean', 'null'] ? ($w := $__twin($v); $v in $xs or $w in $xs"
        " ? $reduce($xs, function($f, $x, $i) { $f >= 0 ? $f : $x = $v or $x = $w ? $i : -1 }, -1) : -1)"
        " : ($w := $__pynorm($v); $reduce($__pynorm($xs), function($f, $x, $i) { $f >= 0 ? $f : $x = $w ? $i : -1 }, -1))",
        ("pynorm", "twin"),
    ),
    "list_count": (
        "$xs, $v",
        "$type($v) in ['string', 'number', 'boolean', 'null'] ? ($w := $__twin($v); $v in $xs or $w in $xs"
        " ? $count($xs[$ = $v or $ = $w]) : 0)"
        " : ($w := $__pynorm($v); $reduce($__pynorm($xs), function($c, $x) { $x = $w ? $c + 1 : $c }, 0))",
        ("pynorm", "twin"),
    ),
    "range": (
        "$a, $b, $s",
        "($n := $s > 0 ? ($b > $a ? $floor(($b - $a - 1) / $s) + 1 : 0)"
        " : ($a > $b ? $floor(($a - $b - 1) / (0 - $s)) + 1 : 0);"
        " $n = 0 ? [] : $__map([0..$n - 1], function($k) { $a + $k * $s }))",
        ("map",),
    ),
    "find": (
        "$s, $sub",
        "$contains($s, $sub) ? $length($substringBefore($s, $sub)) : -1",
        (),
    ),
    "rfind": (
        "$s, $sub",
        "$sub = '' ? $length($s) : ($p := $split($s, $sub); $count($p) > 1"
        " ? $length($s) - $length($p[$count($p) - 1]) - $length($sub) : -1)",
        (),
    ),
    "count_str": (
        "$s, $sub",
        "$sub = '' ? $length($s) + 1 : $count($split($s, $sub)) - 1",
        (),
    ),
    "replace": (
        "$s, $old, $new, $n",
        "$old = '' ? ($chars := $__chars($s); $k := $n < 0 ? $count($chars) + 1 : $min([$n, $count($chars) + 1]);"
        " $join($__map([0..$count($chars)], function($i) { ($i < $k ? $new : '') & ($i < $count($chars) ? $chars[$i] : '') }), ''))"
        " : ($n < 0 ? $join($split($s, $old), $new) : $replace($s, $old, $new, $n))",
        ("map", "chars"),
    ),
    "strip_chars": (
        "$s, $chars, $left, $right",
        "($c := $__chars($s); $n := $count($c);"
        " $kept := $__filter($__map($c, function($x, $k) { $contains($chars, $x) ? -1 : $k }), function($k) { $k >= 0 });"
        " $lo := $left ? ($count($kept) > 0 ? $kept[0] : $n) : 0;"
        " $hi := $right ? ($count($kept) > 0 ? $kept[$count($kept) - 1] + 1 : 0) : $n;"
        " $hi > $lo ? $substring($s, $lo, $hi - $lo) : '')",
        ("filter", "map", "chars"),
    ),
    "title": (
        # Python's str.title(): a character after a cased one (' ' & $s: the one before) is
        # lowered, any other gets its title case ($__tc). The lowering reads the whole string
        # lowered at once, so that Σ gets its final form (ς) where Python gives it; İ, the one
        # character that lowers to two, is lowered as I there (both cased) to keep positions.
        # ASCII text at once: lowered, and a letter after no letter upper-cased
        "$s",
        "$contains($s, /[^\\u0000-\\u007f]/) ? ($l := $lowercase($replace($s, 'İ', 'I'));"
        " $reduce([0..$length($s) - 1], function($a, $i) {"
        " $a & ($c := $substring($s, $i, 1); $__cased($substring(' ' & $s, $i, 1))"
        " ? ($c = 'İ' ? 'i\\u0307' : $substring($l, $i, 1)) : $__tc($c)) }, ''))"
        " : $replace($lowercase($s), /(^|[^A-Za-z])[a-z]/, function($m) { $uppercase($m.match) })",
        ("cased", "tc"),
    ),
    "capitalize": (
        # the first character's title case, the rest lowered in context (as in Python)
        "$s",
        "($h := $substring($s, 0, 1); $__tc($h) & $substring($lowercase($s), $length($lowercase($h))))",
        ("tc",),
    ),
    "cased": (
        # whether the character $c is cased: $lowercase gives a Σ after a cased character its
        # final form ς, unless that character is also case-ignorable (modifier letters such
        # as ʰ), which Python counts as cased too (CASED_IGNORABLE, from Python's tables)
        "$c",
        "$contains($lowercase($c & 'Σ'), 'ς') or CASED_IGNORABLE",
        (),
    ),
    "tc": (
        # the title case of the character $c: Python's title-case table where it differs from
        # the upper case: characters that stay as they are (KEEP_TITLE), the title-case
        # letters (ǅ, ᾈ, ...), found by their lower case; else the upper case with all but its
        # first character lowered (ß → Ss, ᾲ → Ὰͅ: a lowered Ι as the ypogegrammeni it was),
        # except for UPPER_TITLE
        "$c",
        "$contains($c, KEEP_TITLE) ? $c : ($t := $split(TITLE_LETTERS, '')[$lowercase($) = $lowercase($c)];"
        " $u := $uppercase($c); $exists($t) ? $t : UPPER_TITLE ? $u"
        " : $substring($u, 0, 1) & $replace($lowercase($substring($u, 1)), 'ι', '\\u0345'))",
        (),
    ),
    "ljust": ("$s, $w, $f", "$length($s) >= $w ? $s : $pad($s, $w, $f)", ()),
    "rjust": ("$s, $w, $f", "$length($s) >= $w ? $s : $pad($s, 0 - $w, $f)", ()),
    "center": (
        # CPython: left = pad // 2 + (pad & width & 1)
        "$s, $w, $f",
        "($m := $w - $length($s); $m <= 0 ? $s"
        " : $pad($pad($s, -($length($s) + $floor($m / 2) + $m % 2 * ($w % 2)), $f), $w, $f))",
        (),
    ),
    "center_fmt": (
        # format(s, '^w'): the odd padding character goes to the right (str.center differs)
        "$s, $w, $f",
        "($m := $w - $length($s); $m <= 0 ? $s : $pad($pad($s, -($length($s) + $floor($m / 2)), $f), $w, $f))",
        (),
    ),
    "group": (
        # thousands separators for a string of digits
        "$d, $sep",
        "($n := $length($d); $first := $n % 3 = 0 ? 3 : $n % 3;"
        " $n <= 3 ? $d : $substring($d, 0, $first) & $join($__map([0..$floor(($n - $first) / 3) - 1],"
        " function($k) { $sep & $substring($d, $first + 3 * $k, 3) }), ''))",
        ("map",),
    ),
    # str.split(): the parts are strs, so JSONata's own $filter keeps them apart; its single
    # value for one part, nothing for none, are made a list by $append
    "split_ws": (
        # str.split() with no separator: runs of Python whitespace, no empty strings
        "$s, $max",
        "($parts := $append([], $filter($split($s, /[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0"
        "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+/), function($p) { $p != '' }));"
        " $max < 0 or $count($parts) <= $max ? $parts"
        " : ($rest := $__split_ws_rest($s, $max); $append($filter($parts, function($v, $i) { $i < $max }), [$rest])))",
        ("split_ws_rest",),
    ),
    "splitlines": (
        # str.splitlines(): Python's line boundaries (\r\n as one); a last empty part (the
        # text ends with a boundary, or is empty) is not a line
        "$s",
        "($p := $split($s, /\\r\\n|[\\n\\r\\u000b\\u000c\\u001c-\\u001e\\u0085\\u2028\\u2029]/);"
        " $p[-1] = '' ? $append([], $filter($p, function($v, $i) { $i < $count($p) - 1 })) : $p)",
        (),
    ),
    "split_ws_rest": (
        # what is left after the leading whitespace and $max words (and the whitespace after
        # them): "  a b ".split(None, 0) is ['a b ']
        "$s, $max",
        "($ws := /^[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0"
        "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+/;"
        " $word := /^[^\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0"
        "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+/;"
        " $reduce([1..$max], function($acc, $unused) { $replace($replace($acc, $word, '', 1), $ws, '', 1) },"
        " $replace($s, $ws, '', 1)))",
        (),
    ),
    "split_sep": (
        "$s, $sep, $max",
        "($p := $split($s, $sep); $max < 0 or $count($p) <= $max + 1 ? $p"
        " : $append($filter($p, function($v, $i) { $i < $max }),"
        " [$join($filter($p, function($v, $i) { $i >= $max }), $sep)]))",
        (),
    ),
    "strip_ws": (
        "$s, $left, $right",
        "($a := $left ? $replace($s, /^[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0"
        "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+/, '') : $s;"
        " $right ? $replace($a, /[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0"
        "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+$/, '') : $a)",
        (),
    ),
    "seqcmp": (
        # Python's ordering of two lists (or two tuples) of numbers or of strings: the first
        # differing item decides, else the shorter one is smaller; -1, 0 or 1
        "$a, $b",
        "($n := $min([$count($a), $count($b)]); $i := $n = 0 ? -1 : $reduce($zip($a, $b),"
        " function($f, $p, $j) { $f >= 0 ? $f : $p[0] != $p[1] ? $j : -1 }, -1);"
        " $i >= 0 ? ($__cpk($a[$i]) < $__cpk($b[$i]) ? -1 : 1)"
        " : ($count($a) < $count($b) ? -1 : $count($a) > $count($b) ? 1 : 0))",
        ("cpk",),
    ),
    "minmax": (
        # min/max over a list of numbers or of strings; first of equals wins, as in Python
        "$xs, $less",
        "$reduce($xs, function($m, $x) { ($a := $__cpk($x); $b := $__cpk($m);"
        " $less ? ($a < $b ? $x : $m) : ($a > $b ? $x : $m)) })",
        ("cpk",),
    ),
    # zip(a, b) is JSONata's own $zip: pairs as lists of exactly the items (a list item stays
    # one item), as many as the shorter list, in one pass; enumerate() zips with the indexes
    "enumerate": (
        "$xs, $start",
        "$zip([$start..$start + $count($xs) - 1], $xs)",
        (),
    ),
    "sorted": (
        # a stable sort; `$key` maps an element to what is compared (the call site's key applies
        # $__cpk where the keys may be strings), once per element, as Python calls it: each
        # element is sorted with its key beside it (a number or a string) by JSONata's order-by
        # (`^(k)`: a path per comparison where a comparison function costs a call, so thousands
        # of items fit one evaluation; merge sort, stable), the element read back by $lookup,
        # which keeps an array whole; reversed as Python reverses, the reversed items sorted,
        # then reversed again (equal keys keep their order)
        "$xs, $key, $rev",
        "$count($xs) <= 1 ? $xs : ($r := $map($rev ? $reverse($xs) : $xs, function($v) { {'k': $key($v), 'v': $v} })^(k);"
        " $r := $map($r, function($e) { $lookup($e, 'v') }); $rev ? $reverse($r) : $r)",
        (),
    ),
    "sorted_by": (
        # a stable sort of the items as `$dec` writes them ({'v': the item, and its key's
        # fields k0, k1, ...: a tuple key of up to six items written field by field at the call
        # site), ordered by those fields as "sorted" orders its one (fields a shorter key lacks
        # are missing from every item, and order-by counts them equal); reversed as "sorted"
        # reverses
        "$xs, $dec, $rev",
        "$count($xs) <= 1 ? $xs : ($r := $map($rev ? $reverse($xs) : $xs, $dec)^(k0, k1, k2, k3, k4, k5);"
        " $r := $map($r, function($e) { $lookup($e, 'v') }); $rev ? $reverse($r) : $r)",
        (),
    ),
    "sorted_plain": (
        # sorted(xs) with no key. All numbers, or all strings with no character beyond U+FFFF
        # (UTF-16 order is code point order there): $sort's own comparison, since a function
        # call per comparison runs out of one evaluation's budget for thousands of items (equal
        # items are the same JSON, so reversing keeps Python's order). Else a stable sort with
        # bools as 0 and 1 (its result bound first: jsonata-js calls a function in tail position
        # lazily, and $sort's comparator then is not a function).
        "$xs, $rev",
        "$count($xs) <= 1 ? $xs : ($t := $reduce($xs, function($a, $v) { $a = $type($v) ? $a : '' }, $type($xs[0]));"
        " ($t = 'number' or ($t = 'string' and ($j := $join($xs, ''); $length($j) = $count($split($j, '')))))"
        " ? ($r := $sort($xs); $rev ? $reverse($r) : $r) : ($r := $sort($xs, function($a, $b) {"
        " ($x := $__cpk($__num($a)); $y := $__cpk($__num($b)); $rev ? $x < $y : $x > $y) }); $r))",
        ("cpk", "num"),
    ),
    "sorted_str": (
        # sorted(xs) of a list known to hold strs only (a dict's keys): $sort's own comparison
        # unless a character is beyond U+FFFF, as in sorted_plain, without its test of kinds
        "$xs, $rev",
        "($j := $join($xs, ''); $r := $length($j) = $count($split($j, '')) ? $sort($xs)"
        " : $sort($xs, function($a, $b) { $__cpk($a) > $__cpk($b) }); $rev ? $reverse($r) : $r)",
        ("cpk",),
    ),
    "rsplit_ws": (
        # str.rsplit(None, maxsplit): split()'s words, the first ones kept as the text they
        # were, less the whitespace after them: "  a b  c ".rsplit(None, 1) is ['  a b', 'c'] (and
        # "  a b".rsplit(None, 1) ['  a', 'b']: the head keeps its leading whitespace)
        "$s, $max",
        "($parts := $__split_ws($s, -1); $max < 0 or $count($parts) <= $max ? $parts"
        " : ($ws := /[\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0"
        "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+$/;"
        " $word := /[^\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0"
        "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+$/;"
        " $head := $reduce([1..$max], function($acc, $unused) { $replace($replace($acc, $word, '', 1), $ws, '', 1) },"
        " $replace($s, $ws, '', 1));"
        " $append([$head], $filter($parts, function($v, $i) { $i >= $count($parts) - $max }))))",
        ("split_ws",),
    ),
    "rsplit_sep": (
        # str.rsplit(sep, maxsplit): the parts split() gives, the first ones joined again (strs:
        # $filter keeps them apart, and $append makes its single value or nothing a list)
        "$s, $sep, $m",
        "($p := $split($s, $sep); $k := $count($p) - $m; $m < 0 or $k <= 1 ? $p"
        " : $append([$join($filter($p, function($v, $i) { $i < $k }), $sep)],"
        " $filter($p, function($v, $i) { $i >= $k })))",
        (),
    ),
    "sorted_seq": (
        # a stable sort of items whose keys are lists (tuples), ordered item by item: keys of up
        # to six items by JSONata's order-by (as "sorted"), each position a field, and where the
        # keys' lengths differ a 1 beside it where the key has an item there (a 0 where it is
        # shorter: Python's (1,) < (1, 2)); longer keys by a comparison function. Reversed as
        # "sorted" reverses
        "$xs, $key, $rev",
        "$count($xs) <= 1 ? $xs : ($d := $map($rev ? $reverse($xs) : $xs, function($v) { ($k := $key($v);"
        " $n := $count($k); {'v': $v, 'k': $k, 'n': $n, "
        + ", ".join(f"'p{i}': $n > {i} ? 1 : 0, 'k{i}': $__cpk($k[{i}])" for i in range(6))
        + "}) }); $r := $max($d.n) > 6 ? $sort($d, function($a, $b) { $__seqcmp($lookup($a, 'k'), $lookup($b, 'k')) > 0 })"
        " : $min($d.n) = $max($d.n) ? $d^(" + ", ".join(f"k{i}" for i in range(6)) + ") : $d^("
        + ", ".join(f"p{i}, k{i}" for i in range(6)) + ");"
        " $r := $map($r, function($e) { $lookup($e, 'v') }); $rev ? $reverse($r) : $r)",
        ("seqcmp", "cpk", "map"),  # map: for the key that counts bools as ints
    ),
    "seq_orderable": (
        # keys that are lists: at each position, the items present are all numbers or all strings
        "$ks",
        "$count($ks) <= 1 or ($n := $max($__map($ks, function($k) { $count($k) })); $reduce([0..$n - 1],"
        " function($ok, $i) { $ok and $__orderable($__map($__filter($ks, function($k) { $count($k) > $i }),"
        " function($k) { $k[$i] })) }, true))",
        ("map", "filter", "orderable"),
    ),
    "exc_message": (
        # str(e) of a caught error: Lambda reports a Python exception as a JSON cause
        "$c",
        "$type($c) != 'string' ? '' : $substring($c, 0, 16) = '{\"errorMessage\":'"
        " ? $parse($c).errorMessage : $c",
        (),
    ),
    # whether Python computes `a op b` for operands of unknown type (a TypeError's test, which
    # needs no type names: the message, $__binmsg, is built only where the test fails)
    "addok": (
        "$a, $b",
        "($ta := $type($a); $tb := $type($b); ($ta in ['number', 'boolean'] and $tb in ['number', 'boolean'])"
        " or ($ta in ['string', 'array'] and $tb = $ta))",
        (),
    ),
    "mulok": (
        "$a, $b",
        "($ta := $type($a); $tb := $type($b); $seq := ['string', 'array'];"
        " ($ta in $seq or $tb in $seq) ? ($n := $ta in $seq ? $b : $a;"
        " $type($n) = 'boolean' or ($type($n) = 'number' and $floor($n) = $n))"
        " : ($ta in ['number', 'boolean'] and $tb in ['number', 'boolean']))",
        (),
    ),
    # Python's TypeError message for `a op b` where $__addok/$__mulok (or the numbers' test) fails
    "binmsg": (
        "$op, $a, $b",
        "($seq := ['string', 'array']; ($op = '+' and $type($a) in $seq)"
        " ? 'can only concatenate ' & $__pytype($a) & ' (not \"' & $__pytype($b) & '\") to ' & $__pytype($a)"
        " : ($op = '*' and ($type($a) in $seq or $type($b) in $seq))"
        " ? \"can't multiply sequence by non-int of type '\" & $__pytype($type($a) in $seq ? $b : $a) & \"'\""
        " : \"unsupported operand type(s) for \" & $op & \": '\" & $__pytype($a) & \"' and '\" & $__pytype($b) & \"'\")",
        ("pytype",),
    ),
    # whether Python indexes `c[i]`, both of unknown type, without TypeError ($__suberr: the message)
    "subok": (
        "$c, $i",
        "($tc := $type($c); $ti := $type($i); $tc = 'object' ? $not($ti in ['array', 'object'])"
        " : ($tc in ['array', 'string'] and ($ti = 'boolean' or ($ti = 'number' and $floor($i) = $i))))",
        (),
    ),
    # whether Python answers `v in c` for a container of unknown type ($__inerr: the message)
    "inok": (
        "$v, $c",
        "($tc := $type($c); $tc = 'array' or ($tc = 'string' ? $type($v) = 'string'"
        " : ($tc = 'object' and $not($type($v) in ['array', 'object']))))",
        (),
    ),
}



# The decimal exponent of a JSON number's text's first significant digit (-999 for zero):
# float() stops the machine at 308 or more, before $number would read a number past float's
# largest (jsonata-js's D3030).
HELPERS["float_exp"] = (
    "$t",
    "($p := $split($lowercase($replace($t, /^-/, '')), 'e'); $m := $p[0];"
    " $x := $count($p) > 1 ? $number($replace($p[1], '+', '')) : 0; $i := $replace($substringBefore($m, '.'), /^0+/, '');"
    " $contains($m, /[1-9]/) ? $x + ($length($i) > 0 ? $length($i) - 1"
    " : -1 - $length($replace($substringAfter($m, '.'), /[1-9].*$/, ''))) : -999)",
    (),
)

# x * 10**p rounded to an int half to even, exactly (Python's float formatting and round(x, p)
# round the binary value itself): the product s = fl(x * b) and its rounding error e, exactly
# (Dekker's product: each factor split in halves of 26 bits), decide it, since s can be a tie
# k + 0.5 only where e says which side the true product lies (|s| < 2**52, a caller's check).
# a float's repr where $string's 15 significant digits do not read back as the same double (x
# not integral, 1e-4 <= |x| < 2**53): x times the power of ten that gives 17 digits, exactly, as
# Dekker's product h + l (h an integer: it is at least 1e16); the 16 and 17 digit roundings of
# that exact product, half to even, from h's digits (split at 1e8 by exact fmod) and l; the
# shorter if it reads back as x, as Python's repr takes the shortest that does and, of those,
# the nearest. Checked against repr() on 30,000 doubles in jsonata-js and 8,000 in the emulator.
HELPERS["frepr"] = (
    "$x",
    '($a := $abs($x);'
    ' $tens := [1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];'
    ' $prod := function($E) { ($P := $tens[15 - $E]; $s := $a * $P; $c := 134217729 * $a; $ah := $c - ($c - $a); $al := $a - $ah;'
    ' $d := 134217729 * $P; $ph := $d - ($d - $P); $pl := $P - $ph;'
    ' [$s, (($ah * $ph - $s) + $ah * $pl + $al * $ph) + $al * $pl, $E]) };'
    ' $fit := function($q) { $q[0] < 1e16 ? $prod($q[2] - 1) : $q[0] >= 1e17 ? $prod($q[2] + 1) : $q };'
    ' $q := $fit($fit($prod($count([0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15][$ <= $a]) - 5)));'
    ' $h := $q[0]; $l := $q[1]; $E := $q[2];'
    " $dig := function($hi, $lo, $base, $w) { $lo < 0 ? $dig($hi - 1, $lo + $base, $base, $w) : $lo >= $base ? $dig($hi + 1, $lo - $base, $base, $w) : $string($hi) & $pad($string($lo), -$w, '0') };"
    " $text := function($D, $p) { ($e := $length($D) > $p ? $E + 1 : $E; $D := $replace($substring($D, 0, $p), /0+$/, '');"
    " $e >= 0 ? ($length($D) > $e + 1 ? $substring($D, 0, $e + 1) & '.' & $substring($D, $e + 1) : $pad($D, $e + 1, '0') & '.0')"
    " : '0.' & $pad('', -$e - 1, '0') & $D) };"
    ' $B := $h % 100000000; $A := ($h - $B) / 100000000; $f := $floor($l);'
    ' $t := $l > $f + 0.5 or ($l = $f + 0.5 and $f % 2 != 0) ? $f + 1 : $f;'
    ' $d := $B % 10; $C := ($B - $d) / 10;'
    ' $k := ($l > 15 - $d or ($l = 15 - $d and $C % 2 = 0)) ? 2 : ($l > 5 - $d or ($l = 5 - $d and $C % 2 = 1)) ? 1'
    ' : ($l > -5 - $d or ($l = -5 - $d and $C % 2 = 0)) ? 0 : -1;'
    ' $s16 := $text($dig($A, $C + $k, 10000000, 7), 16);'
    " ($x < 0 ? '-' : '') & ($number($s16) = $a ? $s16 : $text($dig($A, $B + $t, 100000000, 8), 17)))",
    (),
)
# a float's repr in Python's exponent form (below 1e-4, or 1e16 and up) where $string's 15
# digits read back as the same double: its digits and exponent, from JavaScript's "0.0000123",
# "1.23e-7" or "15000000000000000", as "1.23e-05" and "1.5e+16"
HELPERS["fexp"] = (
    "$x",
    "($s := $string($abs($x)); $p := $contains($s, 'e'); $m := $p ? $replace($substringBefore($s, 'e'), '.', '') : $replace($s, /^0\\.|\\./, ''); $z := $p ? 0 : $length($m) - $length($replace($m, /^0+/, '')); $E := $p ? $number($replace($substringAfter($s, 'e'), '+', '')) : $abs($x) < 1 ? -$z - 1 : $length($s) - 1; $D := $replace($replace($m, /^0+/, ''), /0+$/, ''); ($x < 0 ? '-' : '') & $substring($D, 0, 1) & ($length($D) > 1 ? '.' & $substring($D, 1) : '') & 'e' & ($E < 0 ? '-' : '+') & $pad($string($abs($E)), -2, '0'))",
    (),
)
HELPERS["fround"] = (
    "$x, $b",
    "($s := $x * $b; $c := 134217729 * $x; $xh := $c - ($c - $x); $xl := $x - $xh;"
    " $d := 134217729 * $b; $bh := $d - ($d - $b); $bl := $b - $bh;"
    " $e := (($xh * $bh - $s) + $xh * $bl + $xl * $bh) + $xl * $bl; $n := $floor($s); $f := $s - $n;"
    " $f > 0.5 or ($f = 0.5 and ($e > 0 or ($e = 0 and $n % 2 != 0))) ? $n + 1 : $n)",
    (),
)

# ord() and chr() read and write a character's UTF-8 bytes ($encodeUrlComponent, which leaves
# printable ASCII as it is: that comes from a table), so a character beyond U+FFFF is one code
# point in jsonata-js (UTF-16) and in a port with code point strings alike.
_PRINTABLE_ASCII = "".join(chr(code) for code in range(32, 127))
HELPERS["ord"] = (
    "$c",
    "($t := " + json.dumps(_PRINTABLE_ASCII) + "; $contains($t, $c) ? 32 + $length($substringBefore($t, $c))"
    " : ($h := $split($substring($encodeUrlComponent($c), 1), '%');"
    " $b := $map($h, function($x) { $length($substringBefore('0123456789ABCDEF', $substring($x, 0, 1))) * 16"
    " + $length($substringBefore('0123456789ABCDEF', $substring($x, 1, 1))) });"
    " $reduce([1..$count($h) - 1], function($a, $i) { $a * 64 + $b[$i] - 128 },"
    " $b[0] - [0, 0, 192, 224, 240][$count($h)])))",
    (),
)
# pow(a, e, m) for 0 <= a < m, e >= 0, m < 2**26 (every product below 2**52): square and
# multiply, a bit of the exponent per step
HELPERS["powmod"] = (
    "$a, $e, $m",
    "($step := function($b, $e, $acc) { $e = 0 ? $acc : $step($b * $b % $m, $floor($e / 2),"
    " $e % 2 = 1 ? $acc * $b % $m : $acc) }; $step($a, $e, 1 % $m))",
    (),
)
HELPERS["chr"] = (
    "$n",
    "($x := function($v) { '%' & $substring('0123456789ABCDEF', $floor($v / 16), 1)"
    " & $substring('0123456789ABCDEF', $v % 16, 1) };"
    " $decodeUrlComponent($n < 128 ? $x($n) : $n < 2048 ? $x(192 + $floor($n / 64)) & $x(128 + $n % 64)"
    " : $n < 65536 ? $x(224 + $floor($n / 4096)) & $x(128 + $floor($n / 64) % 64) & $x(128 + $n % 64)"
    " : $x(240 + $floor($n / 262144)) & $x(128 + $floor($n / 4096) % 64) & $x(128 + $floor($n / 64) % 64)"
    " & $x(128 + $n % 64)))",
    (),
)


def _digit_zeros() -> list[int]:
    """The code points of the non-ASCII decimal digits 0 (Unicode category Nd, each the first
    of a run of ten), from this Python's Unicode data."""
    return [code for code in range(128, sys.maxunicode + 1)
            if unicodedata.decimal(chr(code), None) == 0]


# int("١٢") is 12: every Unicode decimal digit as its ASCII digit, other text unchanged. The
# characters are read from their UTF-8 bytes ($encodeUrlComponent), so characters beyond
# U+FFFF read the same in jsonata-js (UTF-16) and in a port with code point strings.
HELPERS["int_digits"] = (
    "$s",
    "$contains($s, /[^\\u0000-\\u007f]/) ? $decodeUrlComponent($replace($encodeUrlComponent($s),"
    " /%[C-F][0-9A-F](%[89AB][0-9A-F]){1,3}/, function($m) { ($t := $m.match;"
    " $x := function($k) { ($h := $uppercase($substring($t, 3 * $k + 1, 2));"
    " $length($substringBefore('0123456789ABCDEF', $substring($h, 0, 1))) * 16"
    " + $length($substringBefore('0123456789ABCDEF', $substring($h, 1, 1)))) };"
    " $n := $length($t) / 3;"
    " $cp := $n = 2 ? ($x(0) - 192) * 64 + $x(1) - 128"
    " : $n = 3 ? ($x(0) - 224) * 4096 + ($x(1) - 128) * 64 + $x(2) - 128"
    " : ($x(0) - 240) * 262144 + ($x(1) - 128) * 4096 + ($x(2) - 128) * 64 + $x(3) - 128;"
    " $z := $reduce(" + json.dumps(_digit_zeros()).replace(" ", "") + ", function($a, $z) { $z <= $cp ? $z : $a }, -1);"
    " $z >= 0 and $cp - $z < 10 ? $string($cp - $z) : $t) })) : $s",
    (),
)


def _is_cased(ch: str) -> bool:
    return ch.islower() or ch.isupper() or ch.istitle()


def _is_case_ignorable(ch: str) -> bool:
    """Unicode's Case_Ignorable as this Python's lower() applies it: a Σ is final (ς) before
    it at the end, and not final when a cased letter follows it."""
    return ("AΣ" + ch).lower()[1] == "ς" and ("AΣ" + ch + "A").lower()[1] == "σ"


def _code_points():
    return (chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)


def _class_text(ranges: list[tuple[int, int]]) -> str:
    """A regex character class of these code point ranges (all in the BMP); marks, format
    and space characters as escapes, the others as themselves."""
    def one(code: int) -> str:
        ch = chr(code)
        if ch in "\\]^-/" or unicodedata.category(ch)[0] in "MCZ":
            return f"\\u{code:04x}"
        return ch
    parts = [one(lo) if lo == hi else one(lo) + ("" if hi == lo + 1 else "-") + one(hi) for lo, hi in ranges]
    return "/[" + "".join(parts) + "]/"


def char_class(test, last: int) -> str:
    """The regex character class (`[...]`) of the code points up to `last` (in the BMP) for
    which `test(ch)` holds: this Python's Unicode data, as str.isalpha() and the like read it."""
    codes = [code for code in range(last + 1) if not 0xD800 <= code <= 0xDFFF and test(chr(code))]
    return _class_text(_cover(codes, lambda ch: False))[1:-1]


def runs(test, first: int, last: int, shortest: int) -> list[tuple[int, int]]:
    """The runs of at least `shortest` consecutive code points from `first` to `last` (no
    surrogate) for which `test(ch)` holds: blocks of punctuation, symbols or emoji, few ranges
    for many characters."""
    found: list[tuple[int, int]] = []
    start = None
    for code in range(first, last + 2):
        holds = code <= last and not 0xD800 <= code <= 0xDFFF and test(chr(code))
        if holds and start is None:
            start = code
        elif not holds and start is not None:
            if code - start >= shortest:
                found.append((start, code - 1))
            start = None
    return found


def class_of_runs(ranges: list[tuple[int, int]]) -> str:
    """A regex character class's inside for these BMP ranges."""
    return _class_text(ranges)[2:-2]


def astral_pairs(ranges: list[tuple[int, int]]) -> str:
    """A regex alternation matching the characters of these ranges past U+FFFF as JavaScript
    holds them, a pair of UTF-16 surrogates each (no `u` flag: a class cannot hold them)."""
    parts: list[str] = []
    for lo, hi in ranges:
        for high in range((lo - 0x10000) >> 10, ((hi - 0x10000) >> 10) + 1):
            base = 0x10000 + (high << 10)
            low_lo, low_hi = max(lo, base) - base, min(hi, base + 0x3FF) - base
            parts.append(f"\\u{0xD800 + high:04x}[\\u{0xDC00 + low_lo:04x}-\\u{0xDC00 + low_hi:04x}]")
    return "|".join(parts)


def _cover(targets: list[int], allowed) -> list[tuple[int, int]]:
    """Few ranges holding every target code point and, besides them, only allowed ones."""
    ranges: list[tuple[int, int]] = []
    for code in targets:
        if ranges and all(allowed(chr(c)) for c in range(ranges[-1][1] + 1, code)):
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


@functools.cache
def _case_tables() -> dict[str, str]:
    """JSONata text for the tables of $__cased and $__tc, from this Python's Unicode data."""
    cased_ignorable, keep, letters, upper_title = [], [], set(), []
    for ch in _code_points():
        if _is_cased(ch) and _is_case_ignorable(ch):
            cased_ignorable.append(ord(ch))
        title, upper = ch.title(), ch.upper()
        if title != upper and len(title) == 1 and title != ch:
            letters.add(title)
    for ch in _code_points():
        title, upper = ch.title(), ch.upper()
        if title == ch != upper and ch not in letters:
            keep.append(ord(ch))
        if (title == upper and upper[0] + upper[1:].lower().replace("ι", "\u0345") != title
                and not any(t.lower() == ch.lower() for t in letters)):
            upper_title.append(ch)
    bmp = [code for code in cased_ignorable if code <= 0xFFFF]
    tests = [f"$contains($c, {_class_text(_cover(bmp, _is_cased))})"]
    # beyond the BMP a regex sees UTF-16 halves in jsonata-js and code points in a port, so
    # these are compared as strings (by UTF-16 code units in both, which orders them by code
    # point): a range, less the characters in it that are not cased
    for lo, hi in _cover([code for code in cased_ignorable if code > 0xFFFF],
                         lambda ch: ord(ch) % 64 != 0 or _is_cased(ch)):
        others = "".join(chr(c) for c in range(lo, hi + 1) if not _is_cased(chr(c)))
        test = f"$c >= {string(chr(lo))} and $c <= {string(chr(hi))}"
        tests.append(f"({test} and $not($contains({string(others)}, $c)))" if others else f"({test})")
    return {"CASED_IGNORABLE": " or ".join(tests),
            "KEEP_TITLE": _class_text(_cover(keep, lambda ch: False)),
            "TITLE_LETTERS": string("".join(sorted(letters))),
            "UPPER_TITLE": " or ".join(f"$c = {string(ch)}" for ch in upper_title) or "false"}


# Dict keys that are ints. A JSON object's keys are strings, so the machine stores the int key n
# as NUL + its digits ("\u0000" & "12"), which no key the workflow reads from JSON starts with,
# and keeps the dict's order and lookups (1 and True are one key, as in Python). Where keys come
# out (iteration, keys(), items(), repr) they are read back as ints, by the variants below that
# a machine storing such keys is rendered with (INT_KEY_HELPERS); what leaves the machine as
# JSON (its output) has them as JSON writes them ("12"), and a callee may not receive them.
# a list read by computed positions inside a function (graph/indexed_reads.py): from its positions,
# {"v": {"0": item, ...}, "n": count}, a lookup, as the filter `$xs[$i]` reads
HELPERS["at"] = (
    "$p, $xs, $i",
    "$type($i) = 'number' ? $lookup($p.v, $string(($j := $floor($i); $j < 0 ? $j + $p.n : $j))) : $xs[$i]",
    (),
)
# xs[lo:hi] of a list read by positions inside a function (graph/indexed_reads.py): a lookup per
# item the slice takes (`$__slice1_list` walks the whole list); Python's clamping of the bounds
HELPERS["slice1_at"] = (
    "$p, $lo, $hi",
    "($n := $p.n; $start := $lo = null ? 0 : $lo < 0 ? $max([0, $n + $lo]) : $min([$lo, $n]);"
    " $stop := $hi = null ? $n : $hi < 0 ? $max([0, $n + $hi]) : $min([$hi, $n]);"
    " $stop > $start ? $__map([$start..$stop - 1], function($i) { $lookup($p.v, $string($i)) }) : [])",
    ("map",),
)
# json.dumps (lowering/json_text.py): `$o` its options {"i": item separator, "k": key separator,
# "a": ensure_ascii, "n": the indent text or null, "s": sort_keys}, `$l` the nesting level
HELPERS["jesc"] = (  # one character as a JSON string writes it escaped (beyond U+FFFF: a surrogate pair)
    "$c",
    r"""$c = '"' ? '\\"' : $c = '\\' ? '\\\\' : $c = '\n' ? '\\n' : $c = '\r' ? '\\r' : $c = '\t' ? '\\t'"""
    r""" : $c = '\u0008' ? '\\b' : $c = '\u000c' ? '\\f' : ($u := function($n) { '\\u' & $pad($formatBase($n, 16),"""
    r""" -4, '0') }; $n := $__ord($c); $n > 65535 ? $u(55296 + $floor(($n - 65536) / 1024))"""
    r""" & $u(56320 + ($n - 65536) % 1024) : $u($n))""",
    ("ord",),
)
HELPERS["jstr"] = (  # a str as json.dumps writes it (`$a`: ensure_ascii)
    "$s, $a",
    r"""'"' & ($a ? ($contains($s, /[^ -~]|[\\"]/) ? $join($map($__chars($s), function($c) {"""
    r""" $c >= ' ' and $c <= '~' and $c != '"' and $c != '\\' ? $c : $__jesc($c) }), '') : $s)"""
    r""" : $replace($s, /[\\"\u0000-\u001f]/, function($m) { $__jesc($m.match) })) & '"'""",
    ("chars", "jesc"),
)
HELPERS["jindent"] = (  # the line break and indent before an item at level `$l` ('' without indent)
    "$o, $l",
    r"""$o.n = null ? '' : '\n' & $pad('', $l * $length($o.n), $o.n)""",
    (),
)
HELPERS["jkeys"] = (  # a dict's keys, with sort_keys in Python's order of strs
    "$d, $s",
    "($k := $append([], $keys($d)); $s ? $__sorted_str($k, false) : $k)",
    ("sorted_str",),
)
HELPERS["jkey"] = ("$k", "$k", ())  # (a machine with int keys: their digits, INT_KEY_HELPERS)
HELPERS["pyjson"] = (  # a value of unknown type (numbers by the rule: integral means int)
    "$v, $o, $l",
    "($t := $type($v); $t = 'null' ? 'null' : $t = 'boolean' ? ($v ? 'true' : 'false')"
    " : $t = 'number' ? $__jnum($v) : $t = 'string' ? $__jstr($v, $o.a)"
    " : $t = 'array' ? ($count($v) = 0 ? '[]' : '[' & $__jindent($o, $l + 1) & $join($map($v, function($e) {"
    " $__pyjson($e, $o, $l + 1) }), $o.i & $__jindent($o, $l + 1)) & $__jindent($o, $l) & ']')"
    " : ($k := $__jkeys($v, $o.s); $count($k) = 0 ? '{}' : '{' & $__jindent($o, $l + 1) & $join($map($k,"
    " function($x) { $__jstr($__jkey($x), $o.a) & $o.k & $__pyjson($lookup($v, $x), $o, $l + 1) }),"
    " $o.i & $__jindent($o, $l + 1)) & $__jindent($o, $l) & '}'))",
    ("jnum", "jstr", "jindent", "jkeys", "jkey"),
)

# json.loads (lowering/json_text.py): which texts Python reads as $parse does, and Python's
# message for those it refuses. A string token; `\x5c` is a backslash (JSONata's scanner counts
# the brackets of a regex literal and would take `\\[` for an escaped one)
_JSON_STRING = r'"(?:[^"\x5c\u0000-\u001f]|\x5c["\x5c/bfnrt]|\x5cu[0-9a-fA-F]{4})*"'
_JSON_SCALAR = r"-?Infinity|NaN|true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
HELPERS["jsonl"] = (  # '' where json.loads gives what $parse does; else 'e' (JSONDecodeError),
    # 'u' (NaN, Infinity, an exponent of 3 digits, nesting past 100), 'i' (an int past 2**53),
    # 'f' (an integral float: 1.0 reads as the int 1)
    "$s",
    f"($t := $replace($s, /{_JSON_STRING}/, '\"'); $r := function($a, $k) {{ ($b := $replace($a,"
    r""" /\[(?:[0"](?:,[0"])*)?\]|\{(?:":[0"](?:,":[0"])*)?\}/, '0'); $b = $a or $k > 99 ? $b : $r($b, $k + 1)) };"""
    f" $v := $r($replace($replace($t, /{_JSON_SCALAR}/, '0'), /[ \\t\\n\\r]+/, ''), 0);"
    f" $count($match($s, /{_JSON_STRING}/)) != $length($replace($t, /[^\"]+/, '')) ? 'e'"
    r""" : $not($v in ['0', '"']) ? ($r($v, 99) = $v ? 'e' : 'u') : $contains($t, /[NI]/) ? 'u'"""
    r""" : $reduce($append([], $match($t, /-?[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+|-?[0-9]+\.[0-9]+|[0-9]{16,}/)),"""
    r""" function($a, $o) { $a != '' ? $a : ($m := $o.match; $contains($m, /[.eE]/) ? ($p := $split($lowercase($m), 'e');"""
    r""" $x := $count($p) > 1 ? $replace($p[1], '+', '') : '0'; $length($x) > 4 or $number($x) > 300 - $length($p[0])"""
    r""" ? 'u' : ($n := $number($m); $floor($n) = $n ? 'f' : '')) : $length($m) > 16 or $m > '9007199254740991'"""
    r""" ? 'i' : '') }, ''))""",
    (),
)

_JSON_TOKEN = "|".join((r"[ \t\n\r]+", _JSON_STRING, _JSON_SCALAR, r"[\ud800-\udbff][\udc00-\udfff]|[\s\S]"))
# a string's text up to the character that ends it wrongly (`\uXXXX` needs a character after it)
_JSON_STRING_PART = r'^(?:[^"\x5c\u0000-\u001f]|\x5c["\x5c/bfnrt]|\x5cu[0-9a-fA-F]{4}(?=[^\u0000]|\u0000[\s\S]))*[\s\S]'


def _json_error(trailing_comma: bool) -> str:
    """The body of helper `jsonerr`: Python's JSONDecodeError message for a text it refuses, by
    its parser's rules (what it expects after each token, where a string goes wrong); with
    `trailing_comma` (Python 3.13 on) a `,` before `]` or `}` has a message of its own."""
    array_end = ("$m = 'W' and $t = ']' ? $e('Illegal trailing comma before end of array', $a.c) : "
                 if trailing_comma else "")
    object_end = ("$m = 'K' and $t = '}' ? $e('Illegal trailing comma before end of object', $a.c) : "
                  if trailing_comma else "")
    return (
        "($at := function($m, $i) { ($l := $split($substring($s, 0, $i), '\\n'); $m & ': line ' & $count($l)"
        " & ' column ' & ($length($l[-1]) + 1) & ' (char ' & $i & ')') };"
        " $str := function($i) { ($r := $substring($s, $i + 1) & '\\u0000';"
        f" $n := $length($match($r, /{_JSON_STRING_PART}/).match) - 1; $q := $i + 1 + $n;"
        " $q >= $length($s) ? $at('Unterminated string starting at', $i) : $substring($r, $n, 1) = '\\\\'"
        " ? ($q + 1 >= $length($s) ? $at('Unterminated string starting at', $i) : $substring($r, $n + 1, 1) = 'u'"
        " ? $at('Invalid \\\\uXXXX escape', $q + 1) : $at('Invalid \\\\escape', $q))"
        " : $at('Invalid control character at', $q)) };"
        " $e := function($m, $i) { {\"e\": $at($m, $i)} };"
        " $end := function($a) { ($m := $a.m; $k := $a.k; $n := $length($s); $exists($a.e) ? $a.e"
        " : $m in ['v', 'V', 'W'] ? $at('Expecting value', $n) : $m in ['k', 'K']"
        " ? $at('Expecting property name enclosed in double quotes', $n) : $m = 'c' ? $at(\"Expecting ':' delimiter\", $n)"
        " : $k = '' ? '' : $at(\"Expecting ',' delimiter\", $n)) };"
        " $substring($s, 0, 1) = '\\ufeff' ? $at('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0)"
        f" : $end($reduce($append([], $match($s, /{_JSON_TOKEN}/)), function($a, $o) {{ $exists($a.e) ? $a : ("
        " $t := $o.match; $f := $substring($t, 0, 1); $p := $a.p; $m := $a.m; $k := $a.k;"
        " $top := $substring($k, -1); $pop := $substring($k, 0, $length($k) - 1);"
        " $go := function($m, $k) { {\"p\": $p + $length($t), \"m\": $m, \"k\": $k, \"c\": $a.c} };"
        " $f in [' ', '\\t', '\\n', '\\r'] ? $go($m, $k)"
        " : $m in ['v', 'V', 'W'] ? ($m = 'V' and $t = ']' ? $go('n', $pop) : " + array_end +
        "$length($t) > 1 or $contains('0123456789', $f) ? $go('n', $k) : $t = '[' ? $go('V', $k & 'a')"
        " : $t = '{' ? $go('k', $k & 'o') : $f = '\"' ? {\"e\": $str($p)} : $e('Expecting value', $p))"
        " : $m in ['k', 'K'] ? ($m = 'k' and $t = '}' ? $go('n', $pop) : " + object_end +
        "$f = '\"' ? ($length($t) > 1 ? $go('c', $k) : {\"e\": $str($p)})"
        " : $e('Expecting property name enclosed in double quotes', $p))"
        " : $m = 'c' ? ($t = ':' ? $go('v', $k) : $e(\"Expecting ':' delimiter\", $p))"
        " : $k = '' ? $e('Extra data', $p) : $t = ',' ? $merge([$go($top = 'a' ? 'W' : 'K', $k), {\"c\": $p}])"
        " : ($t = ']' and $top = 'a') or ($t = '}' and $top = 'o') ? $go('n', $pop)"
        " : $e(\"Expecting ',' delimiter\", $p)) }, {\"p\": 0, \"m\": 'v', \"k\": ''})))"
    )


def _names_trailing_commas() -> bool:
    """Whether this Python's json names a `,` before `]` (3.13's message), as the plain run will."""
    try:
        json.loads("[1,]")
    except ValueError as error:
        return str(error).startswith("Illegal trailing comma")
    return False


HELPERS["jsonerr"] = ("$s", _json_error(_names_trailing_commas()), ())

NUL = "'\\u0000'"
HELPERS.update({
    "rawkeys": ("$d", "$append([], $keys($d))", ()),
    "ikey": ("$n", f"{NUL} & $formatNumber($n, '0')", ()),
    # a key of a kind known at run time; an integral number or a bool is an int key, anything
    # else Python could not have stored a key as (a float, None) is one no dict holds
    "ekey": ("$k", f"($t := $type($k); $t = 'string' ? $k : $t = 'boolean' ? {NUL} & ($k ? '1' : '0')"
                   f" : $t = 'number' and $floor($k) = $k ? {NUL} & $formatNumber($k, '0') : {NUL} & '?')", ()),
    "dkey": ("$k", f"$substring($k, 0, 1) = {NUL} ? $number($substring($k, 1)) : $k", ()),
    # the machine's output: each int key as JSON writes it (json.dumps(1: ...) is "1")
    "jsonkeys": ("$v", f"($t := $type($v); $t = 'array' ? $__map($v, function($x) {{ $__jsonkeys($x) }})"
                       f" : $t = 'object' ? $merge($append([{{}}], $__map($__rawkeys($v), function($k) {{"
                       f" {{($substring($k, 0, 1) = {NUL} ? $substring($k, 1) : $k): $__jsonkeys($lookup($v, $k))}}"
                       f" }}))) : $v)", ("map", "rawkeys")),
    "haskeys": ("$v", f"($t := $type($v); $t = 'array' ? $reduce($v, function($a, $x) {{ $a or $__haskeys($x) }}, false)"
                      f" : $t = 'object' ? $reduce($__rawkeys($v), function($a, $k) {{ $a or $substring($k, 0, 1) = {NUL}"
                      f" or $__haskeys($lookup($v, $k)) }}, false) : false)", ("rawkeys",)),
})
INT_KEY_HELPERS = {
    "jkey": ("$k", f"$substring($k, 0, 1) = {NUL} ? $substring($k, 1) : $k", ()),
    # (a key read back is a str or a number, never a list: the array constructor keeps one a list)
    "keys": ("$d", "[$map($append([], $keys($d)), $__dkey)]", ("dkey",)),
    "values": ("$d", "$__map($__rawkeys($d), function($k) { $lookup($d, $k) })", ("map", "rawkeys")),
    "items": ("$d", "$__map($__rawkeys($d), function($k) { $append([$__dkey($k)], $__wrap($lookup($d, $k))) })",
              ("map", "rawkeys", "wrap", "dkey")),
    "unprintable": (HELPERS["unprintable"][0], HELPERS["unprintable"][1].replace("$__keys(", "$__rawkeys("),
                    ("rawkeys",)),
    "unprintable_float": (HELPERS["unprintable_float"][0],
                          HELPERS["unprintable_float"][1].replace("$__keys(", "$__rawkeys("), ("rawkeys",)),
    "pyin": (HELPERS["pyin"][0], HELPERS["pyin"][1].replace("($type($v) = 'string' and $exists($lookup($c, $v)))",
                                                            "$exists($lookup($c, $__ekey($v)))"), ("contains", "ekey")),
    # a dict's key as repr() prints it (pyrepr's and the typed printers' keys are repr_str's):
    # an int key's digits; no str the workflow handles starts with NUL otherwise
    "repr_str": ("$s", f"$substring($s, 0, 1) = {NUL} ? $substring($s, 1) : ({HELPERS['repr_str'][1]})",
                 HELPERS["repr_str"][2]),
}
assert all("$__keys(" not in body for name, (_, body, _) in INT_KEY_HELPERS.items() if name != "keys")
assert "$__ekey" in INT_KEY_HELPERS["pyin"][1]


def held_keys(value):
    """A JSON value as the machine holds it: each dict's int keys as NUL + digits (a module-level
    constant such as {1: "urgent"})."""
    if isinstance(value, dict):
        return {("\x00" + str(k) if type(k) is int else k): held_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(held_keys(v) for v in value)
    return value


def helper_table(int_keys: bool = False) -> dict:
    """The helpers a field is rendered with: a machine that stores int keys reads them back."""
    return _WITH_INT_KEYS if int_keys else HELPERS

def prelude(names, int_keys: bool = False) -> str:
    """Definitions of these helpers and the ones they call, each before its first use."""
    table = helper_table(int_keys)
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for dependency in table[name][2]:
            visit(dependency)
        ordered.append(name)

    for name in sorted(names):
        visit(name)
    return " ".join(f"$__{name} := function({table[name][0]}) {{ {_body(name, table)} }};"
                    for name in ordered)


def _body(name: str, table: dict) -> str:
    body = table[name][1]
    if name in ("cased", "tc"):
        for placeholder, text in _case_tables().items():
            body = body.replace(placeholder, text)
    return body


def closure(names, int_keys: bool = False) -> frozenset:
    """The helpers these need, transitively."""
    table = helper_table(int_keys)
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(table[name][2])
    return frozenset(seen)


def int_text(code: str) -> str:
    """An int (up to 2**53) as Python prints it: `$string` keeps 15 significant digits,
    `$formatNumber` with the picture '0' all of them (jsonata-js writes the digits with
    toFixed(0); no helper to define)."""
    return f"$formatNumber({code}, '0')"


def string(text: str) -> str:
    """A JSONata string literal (JSON's escapes; JSONata accepts them)."""
    return json.dumps(text, ensure_ascii=False)


def number(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a JSON number")
        return repr(value)
    return str(value)


def literal(value) -> str:
    """A JSON value as JSONata text (lists built so that nested lists stay lists)."""
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return number(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_element(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{string(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _element(value) -> str:
    """An element inside `[...]`: a nested list literal stays nested in JSONata."""
    return literal(value)


def render(code: str, int_keys: bool = False) -> str:
    """The `{% ... %}` field text for `code` with the helper definitions it calls (each field
    defines what its own text calls); `int_keys`: the machine stores int dict keys
    (helper_table)."""
    helpers = used_helpers(code, int_keys)
    if helpers:
        return "{% (" + prelude(helpers, int_keys) + " " + code + ") %}"
    return "{% " + code + " %}"


_HELPER_NAME = re.compile(r"\$__([A-Za-z_][A-Za-z0-9_]*)")


_LOCAL_NAME = re.compile(r"\$__([A-Za-z_][A-Za-z0-9_]*)\s*:=")
_PARAMETERS = re.compile(r"function\(([^)]*)\)")


def used_helpers(code: str, int_keys: bool = False) -> frozenset:
    """The helpers `code` calls, with the ones they call in turn: every helper its text names
    (not the helpers its parts declared: a part that forgot one called an undefined function
    at run time), not names it binds itself (`$__X := ...`, a function's parameters)."""
    table = helper_table(int_keys)
    local = set(_LOCAL_NAME.findall(code))
    for parameters in _PARAMETERS.findall(code):
        local.update(_HELPER_NAME.findall(parameters))
    found: set[str] = set()
    stack = [name for name in _HELPER_NAME.findall(code) if name in table and name not in local]
    while stack:
        name = stack.pop()
        if name not in found:
            found.add(name)
            stack.extend(table[name][2])
            stack.extend(n for n in _HELPER_NAME.findall(table[name][1]) if n in table)
    return frozenset(found)


def code_positions(text: str, start: int = 0):
    """(position, character) of each character of `text` from `start` that is JSONata code, not
    inside a string literal (the quotes themselves and escaped characters are skipped): the one
    scanner the text-level passes over compiled JSONata share."""
    quote = ""
    position = start
    while position < len(text):
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        else:
            yield position, char
        position += 1


def closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at `start` (-1 if unbalanced), skipping
    string literals."""
    depth = 0
    for position, char in code_positions(text, start):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return position
    return -1


def value_end(text: str, start: int) -> int:
    """Where the value starting at `start` ends: the first `;` or `,` outside brackets and
    string literals, or the bracket closing one it is in (the end of a `$x := value`
    statement or of an object's field)."""
    depth = 0
    for position, char in code_positions(text, start):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return position
        elif char in ";," and depth == 0:
            return position
    return len(text)


def arguments(text: str) -> list[str] | None:
    """A call's comma-separated arguments, stripped (None if its brackets do not pair): the
    commas outside brackets and string literals."""
    parts, depth, last = [], 0, 0
    for position, char in code_positions(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            parts.append(text[last:position].strip())
            last = position + 1
    if depth != 0:
        return None
    parts.append(text[last:].strip())
    return parts


_WITH_INT_KEYS = {**HELPERS, **INT_KEY_HELPERS}  # (after every helper is defined)
