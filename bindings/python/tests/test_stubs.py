"""The committed type stubs match the compiled module and are valid Python."""
import ast
import pathlib
import sys

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "patron"
sys.path.insert(0, str(PACKAGE.parent / "tools"))

import generate_stubs  # noqa: E402


def test_committed_stubs_equal_a_fresh_generation():
    fresh = generate_stubs.generate()
    committed = {path.name: path.read_text() for path in PACKAGE.glob("*.pyi")}
    assert sorted(committed) == sorted(fresh)
    for name, text in fresh.items():
        assert committed[name] == text, (
            f"{name} is stale: regenerate with bindings/python/tools/generate_stubs.py")


def test_every_stub_parses():
    for path in PACKAGE.glob("*.pyi"):
        ast.parse(path.read_text(), filename=str(path))
