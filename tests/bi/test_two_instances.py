"""Two app instances on one store, each with its own mirror (DESIGN.md §5): a contract saved by
one shows in the other's figures at its next refresh after the one-second throttle."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from core.config import PROJECT_ROOT
from core.db import transaction
from tests.bi import data, scenario

OTHER_INSTANCE = """
import json, sys, time
from core.bi.mirror import Mirror
mirror = Mirror(sys.argv[1], sys.argv[2])
mirror.build()
mirror.refresh()
print("ready", flush=True)
sys.stdin.readline()
started = time.monotonic()
while time.monotonic() - started < 10:
    mirror.refresh()  # what every BI render does: throttled to once a second
    total = mirror.query("SELECT CAST(sum(amount) AS DOUBLE) AS s FROM ok_contracts")["s"][0]
    if total is not None and round(total, 2) == 4210.05:  # 2975.49 approved before + 1234.56
        print(json.dumps({"seen_after": time.monotonic() - started}), flush=True)
        break
    time.sleep(0.05)
else:
    print(json.dumps({"seen_after": None}), flush=True)
mirror.close()
"""


def test_a_contract_saved_in_one_instance_shows_in_the_others_figures(session, org, db_url,
                                                                      tmp_path):  # fmt: skip
    world = scenario.build(session, org)
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_INSTANCE, db_url, str(tmp_path / "other.duckdb")],
        cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert other.stdout.readline().strip() == "ready"
        time.sleep(1.1)  # the other instance's throttle window has passed once
        with transaction(db_url) as s:
            data.contract(s, org.users["sales1"], world.customers["c1"], scenario.D(2026, 3, 3),
                          "1234.56")  # fmt: skip
        other.stdin.write("go\n")
        other.stdin.flush()
        result = json.loads(other.stdout.readline())
    finally:
        other.kill()
        other.wait()
    assert result["seen_after"] is not None
    assert result["seen_after"] <= 1.5
