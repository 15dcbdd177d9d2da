"""Evaluate JSONata text as AWS would: in the emulator, and (when available) in jsonata-js.

Set PYSFN_JSONATA_JS to a jsonata npm package directory (version 2.0.6, the one AWS documents)
to also check every expression against the JavaScript reference implementation with node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pysfn_emulator
from pysfn_compile.graph.jsonata_lib import prelude

_JS_PROGRAM = """
const jsonata = require(process.argv[1]);
const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);
(async () => {
  const out = [];
  for (const line of lines) {
    const {expr, bindings} = JSON.parse(line);
    try {
      const compiled = jsonata(expr);
      compiled.registerFunction('parse', (text) => JSON.parse(text), '<s:j>');
      const r = await compiled.evaluate(undefined, bindings);
      out.push(r === undefined ? {undefined: true} : {value: r});
    } catch (e) { out.push({error: String(e.code || e.message)}); }
  }
  console.log(JSON.stringify(out));
})();
"""


def emulate(code: str, variables: dict | None = None):
    """('ok', value) or ('error', error name, cause) for `code` evaluated in the emulator."""
    assign = {name: value for name, value in (variables or {}).items()}
    states = {}
    if assign:
        states["Bind"] = {"Type": "Pass", "Assign": assign, "Next": "Eval"}
    states["Eval"] = {"Type": "Pass", "Output": "{% " + code + " %}", "End": True}
    definition = {"QueryLanguage": "JSONata", "StartAt": "Bind" if assign else "Eval", "States": states}
    try:
        execution = pysfn_emulator.run(definition, {})
    except pysfn_emulator.DefinitionError as invalid:
        return ("invalid", str(invalid))
    if execution.status == "SUCCEEDED":
        return ("ok", execution.output)
    return ("error", execution.error, execution.cause)


def js_available() -> bool:
    return bool(os.environ.get("PYSFN_JSONATA_JS")) and shutil.which("node") is not None


def javascript(codes: list[tuple[str, dict]]):
    """[('ok', value) | ('undefined',) | ('error', code)] from jsonata-js, one per (code, vars)."""
    package = os.environ["PYSFN_JSONATA_JS"]
    text = "\n".join(json.dumps({"expr": code, "bindings": variables or {}}) for code, variables in codes)
    done = subprocess.run(["node", "-e", _JS_PROGRAM, package], input=text, capture_output=True,
                          text=True, check=True)
    results = []
    for item in json.loads(done.stdout):
        if "value" in item:
            results.append(("ok", item["value"]))
        elif "undefined" in item:
            results.append(("undefined",))
        else:
            results.append(("error", item["error"]))
    return results


def with_helpers(code: str) -> str:
    """`code` with the definitions of the `$__` helpers it calls, as a field would hold it."""
    names = {part.split("(")[0] for part in code.split("$__")[1:]}
    return "(" + prelude(names) + " " + code + ")"


def definition_strings(value, pointer: str = ""):
    """(JSON pointer, text) of every string in a definition."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from definition_strings(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from definition_strings(item, f"{pointer}/{position}")
    elif isinstance(value, str):
        yield pointer, value
