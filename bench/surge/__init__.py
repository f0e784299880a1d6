"""The opening-day surge (issue 21, ADRs 0580-0581): the voter's whole journey as plain
functions (``journey``), the world it runs in (``world``), the Locust scenarios that drive it
(``locustfile``) and the settings the server runs (``settings``). ``bench/bench_surge.py``
runs them; a fault test may import ``journey`` to put the same load on a server it breaks."""
