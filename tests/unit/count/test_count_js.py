"""The count page's JavaScript and the Python core cannot drift apart:
frontend/test/count_vectors.json, which ``npm test`` reproduces byte for byte
(frontend/test/count.test.mjs), is exactly what the Python core makes today."""

import importlib.util
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[3] / "frontend"


def test_the_committed_count_vectors_are_what_python_makes() -> None:
    path = FRONTEND / "test" / "make_count_vectors.py"
    spec = importlib.util.spec_from_file_location("urne_make_count_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (FRONTEND / "test" / "count_vectors.json").read_text(encoding="utf-8")
    assert committed == module.text(), "run frontend/test/make_count_vectors.py"
