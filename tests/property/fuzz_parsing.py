"""A coverage-guided fuzzer (atheris, libFuzzer) of the strict parsers of
``urne.site.parsing`` (ADR 0520): on any bytes, each parser returns or raises
``InputError``, never another exception; a JSON document it accepts is the one the standard
parser reads. Run by ``test_fuzz_parsing.py`` for a bounded number of runs, or by hand:
``python tests/property/fuzz_parsing.py -runs=200000``."""

import json
import sys

import atheris

with atheris.instrument_imports():
    from django.conf import settings

    settings.configure()  # the parsers read two Django limits and nothing else
    from urne.site import parsing


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    kind = fdp.ConsumeIntInRange(0, 3)
    raw = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        if kind == 0:
            value = parsing.json_text(raw, max_bytes=4096, max_depth=4)
            assert value == json.loads(raw.decode("utf-8"))
            assert parsing.json_depth(raw.decode("utf-8")) <= 4
        elif kind == 1:
            text = raw.decode("latin-1")
            assert 0 <= parsing.int_id(text) < 10**18
        elif kind == 2:
            parsing.date(raw.decode("latin-1"))
        else:
            parsing._urlencoded_check(raw)
    except parsing.InputError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
