"""A fork server of `weekly_refresh` runs for the kill-and-resume test (imports once, forks per run).

Importing Prefect and TensorFlow takes 10-40 s on a busy machine; forking a process that has imported
them (and started no thread) makes each run start at once. Protocol on stdin/stdout, one line each:
prints `READY`; reads `{"api_url", "results", "kwargs"}` (the Prefect API, the result storage folder,
`weekly_refresh`'s arguments), forks a child in its own session (so `killpg` also kills its image
workers, like a crash), prints `STARTED <pid>`, and when the child ends prints
`EXIT <pid> <exit code or -signal>`. The child's Prefect log lines and `RESULT <json>` go to
stdout in between.
"""

import json
import os
import sys
import traceback

from prefect.settings import PREFECT_API_URL, PREFECT_LOCAL_STORAGE_PATH, temporary_settings

import sneaker_core.shards.writer  # noqa: F401 - TensorFlow once, before forking (tasks import it late)
from flows.weekly_refresh import weekly_refresh


def _child(command: dict) -> None:
    os.setsid()
    code = 1
    try:
        prefect = {PREFECT_API_URL: command["api_url"], PREFECT_LOCAL_STORAGE_PATH: command["results"]}
        with temporary_settings(prefect):
            out = weekly_refresh(**command["kwargs"])
        print("RESULT " + json.dumps({"models": out["models"], "failed": out["failed"]}), flush=True)
        code = 0
    except BaseException:  # noqa: BLE001 - reported to the test through the exit code and the traceback
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    print("READY", flush=True)
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            _child(json.loads(line))
        print(f"STARTED {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {pid} {os.waitstatus_to_exitcode(status)}", flush=True)
