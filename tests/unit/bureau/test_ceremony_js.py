"""The ceremony page's JavaScript and the Python core cannot drift apart:
frontend/test/ceremony_vectors.json, which ``npm test`` reproduces byte for byte
(frontend/test/ceremony.test.mjs), is exactly what the Python core makes today."""

import importlib.util
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[3] / "frontend"


def test_the_committed_ceremony_vectors_are_what_python_makes() -> None:
    path = FRONTEND / "test" / "make_ceremony_vectors.py"
    spec = importlib.util.spec_from_file_location("urne_make_ceremony_vectors", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (FRONTEND / "test" / "ceremony_vectors.json").read_text(encoding="utf-8")
    assert committed == module.build_vectors(), "run frontend/test/make_ceremony_vectors.py"
