"""Errors as JSONata words them: jsonata-python's error codes in JSONata's (JavaScript's)
sentences."""

from __future__ import annotations

from jsonata import jexception

from .javascript import js_stringify
from .values import MISSING

# JSONata's messages (jsonata-js 2.0.x), where the port's wording differs ("Object" for
# "function") or where the port fills the inserts differently.
_MESSAGES = {
    "S0211": "The symbol {{token}} cannot be used as a unary operator",
    "T0410": "Argument {{index}} of function {{token}} does not match function signature",
    "T0411": "Context value is not a compatible type with argument {{index}} of function {{token}}",
    "T0412": "Argument {{index}} of function {{token}} must be an array of {{type}}",
    "D1001": "Number out of range: {{value}}",
    "D1004": "Regular expression matches zero length string",
    "D1002": "Cannot negate a non-numeric value: {{value}}",
    "T1003": "Key in object structure must evaluate to a string; got: {{value}}",
    "T1005": "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
    "T1006": "Attempted to invoke a non-function",
    "T1007": "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
    "T1008": "Attempted to partially apply a non-function",
    "D1009": "Multiple key definitions evaluate to same key: {{value}}",
    "T1010": "The matcher function argument passed to function {{token}} does not return the correct object structure",
    "T2001": "The left side of the {{token}} operator must evaluate to a number",
    "T2002": "The right side of the {{token}} operator must evaluate to a number",
    "T2003": "The left side of the range operator (..) must evaluate to an integer",
    "T2004": "The right side of the range operator (..) must evaluate to an integer",
    "T2006": "The right side of the function application operator ~> must be a function",
    "T2007": "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
    "T2008": "The expressions within an order-by clause must evaluate to numeric or string values",
    "T2009": "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type",
    "T2010": "The expressions either side of operator {{token}} must evaluate to numeric or string values",
    "T2011": "The insert/update clause of the transform expression must evaluate to an object: {{value}}",
    "T2012": "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}",
    "T2013": "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.",
    "D2014": "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {{value}}.",
    "D3001": "Attempting to invoke string function on Infinity or NaN",
    "D3010": "Second argument of replace function cannot be an empty string",
    "D3011": "Fourth argument of replace function must evaluate to a positive number",
    "D3012": "Attempted to replace a matched string with a non-string value",
    "D3020": "Third argument of split function must evaluate to a positive number",
    "D3030": "Unable to cast value to a number: {{value}}",
    "D3040": "Third argument of match function must evaluate to a positive number",
    "D3050": "The second argument of reduce function must be a function with at least two arguments",
    "D3060": "The sqrt function cannot be applied to a negative number: {{value}}",
    "D3061": "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}",
    "D3070": "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
    "D3100": "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}",
    "D3130": "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation",
    "D3110": "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}",
    "D3137": "{{{message}}}",
    "D3138": "The $single() function expected exactly 1 matching result.  Instead it matched more.",
    "D3139": "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
    "D3140": "Malformed URL passed to ${{{functionName}}}(): {{value}}",
    "D3141": "{{{message}}}",
    "U1001": "{{{message}}}",
    "JS": "{{{message}}}",
}

# Which of the port's positional details (current, expected, extra) fills which insert.
_INSERTS = {
    "S0211": ("token",),
    "T0410": ("index", "token"),
    "T0411": ("value", "index"),
    "T0412": ("index", "token", "type"),
    "D1001": ("value",),
    "D1002": ("token", "value"),
    "T1003": ("value",),
    "T1005": ("token",),
    "T1007": ("token",),
    "D1009": ("value",),
    "T1010": ("token",),
    "T2001": ("token", "value"),
    "T2002": ("token", "value"),
    "T2003": ("value",),
    "T2004": ("value",),
    "T2007": ("value", "value2"),
    "T2009": ("value", "value2", "token"),
    "T2010": ("token", "value"),
    "T2011": ("value",),
    "T2012": ("value",),
    "D2014": ("value",),
    "D3030": ("value",),
    "D3060": ("value",),
    "D3061": ("value", "exp"),
    "D3110": ("value",),
    "D3130": ("value",),
    "D3137": ("message",),
    "D3140": ("value", "functionName"),
    "D3141": ("message",),
    "U1001": ("message",),
    "JS": ("message",),
}

# T0412's type insert, as jsonata-js names a typed array's items
_ARRAY_TYPES = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}

# jsonata-js never stops a runaway expression; its test suite's guard (test/run-test-suite.js,
# timeboxExpression) does, with these words, and pysfn stops one the same way.
RUNAWAY_DEPTH = "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."
RUNAWAY_STEPS = "Expression evaluation timeout: Check for infinite loop"


def runaway(text: str) -> jexception.JException:
    """U1001, the runaway guard's error."""
    return jexception.JException("U1001", -1, text)


def javascript_error(text: str) -> jexception.JException:
    """A JavaScript TypeError jsonata-js lets out without a code (its message alone)."""
    return jexception.JException("JS", -1, text)


def message(error: Exception) -> str:
    """`CODE: message` as JSONata (JavaScript) words it."""
    code = getattr(error, "error", None)
    template = _MESSAGES.get(code) if isinstance(code, str) else None
    if template is None:
        text = str(error)
        return f"{code}: {text}" if isinstance(code, str) and len(code) == 5 and code[1:].isdigit() else text
    details = (getattr(error, "current", None), getattr(error, "expected", None), getattr(error, "extra", None))
    inserts = dict(zip(_INSERTS.get(code, ()), details, strict=False))
    if code == "D3100":
        inserts["value"] = getattr(error, "location", None)
    if code == "T0412":
        inserts["type"] = _ARRAY_TYPES.get(str(inserts.get("type")), inserts.get("type"))
    if code == "D3137" and not inserts.get("message"):
        inserts["message"] = "$error() function evaluated"  # jsonata-js: `message || ...`
    if code in ("T0410", "T0411", "T0412") and isinstance(inserts.get("token"), str):
        inserts["token"] = inserts["token"].lstrip("$")
    text = template
    for name in ("message", "token", "functionName"):
        text = text.replace("{{{" + name + "}}}", str(inserts.get(name, "")))
    for name in ("index", "token", "type", "value", "value2", "exp"):
        placeholder = "{{" + name + "}}"
        if placeholder in text:
            text = text.replace(placeholder, js_stringify(inserts.get(name, MISSING)))
    return text if code == "JS" else f"{code}: {text}"
