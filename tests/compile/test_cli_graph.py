"""pysfn-compile --graph: the compiled machine as a Mermaid flowchart, beside the definition."""

from __future__ import annotations

import json
from pathlib import Path

from pysfn_compile import cli
from pysfn_emulator import graph

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_graph_page_draws_every_state_of_the_compiled_machine(tmp_path, capsys):
    page, out = tmp_path / "fan_out.md", tmp_path / "fan_out.json"
    assert cli.main([str(EXAMPLES / "fan_out_map.py"), "-o", str(out), "--graph", str(page)]) == 0
    text = page.read_text()
    assert text.startswith("# check_regions() from fan_out_map.py")
    assert "```mermaid" in text and "subgraph" in text  # the Map's processor
    definition = json.loads(out.read_text())
    assert graph.to_mermaid(definition) in text


def test_graph_as_bare_mermaid(tmp_path, capsys):
    chart = tmp_path / "analyse.mmd"
    assert cli.main([str(EXAMPLES / "analyse_text.py"), "-o", str(tmp_path / "a.json"), "--graph", str(chart)]) == 0
    assert chart.read_text().startswith("flowchart TD")


def test_no_graph_is_written_when_the_workflow_does_not_compile(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("from pysfn_compile import sfn\n\n@sfn.workflow\ndef main(x):\n    with open(x):\n        pass\n")
    assert cli.main([str(bad), "--graph", str(tmp_path / "g.md")]) == 2
    assert not (tmp_path / "g.md").exists()
    assert "bad.py:5:" in capsys.readouterr().err
