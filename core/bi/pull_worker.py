"""Bulk pulls through Arrow (connectorx) in a child process: `python -m core.bi.pull_worker`.

Why a child process: connectorx (like ADBC) links its own copy of SQLite, and two SQLite
libraries in one process break each other's POSIX file locks — after connectorx closes the
file, the app's own connections saw stale rows and "disk I/O error" (measured). A child
process also lets the parent load chunk N while the child reads chunk N+1.

Protocol: stdin is one JSON object {"uri", "dir", "queries": [{"sql", "partitions"}, …]}; for
each query, in order, the result is written as an Arrow IPC file in `dir` and one JSON line
{"index", "path", "rows"} is printed to stdout. With partitions > 1 the query is read in that
many `id` ranges at once."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    import connectorx
    import pyarrow as pa

    job = json.loads(sys.stdin.read())
    folder = Path(job["dir"])
    for index, query in enumerate(job["queries"]):
        options = {}
        if query["partitions"] > 1:
            options = {"partition_on": "id", "partition_num": query["partitions"]}
        table = connectorx.read_sql(job["uri"], query["sql"], return_type="arrow", **options)
        path = folder / f"{index}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        print(json.dumps({"index": index, "path": str(path), "rows": table.num_rows}), flush=True)


if __name__ == "__main__":
    main()
