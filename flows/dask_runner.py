"""A Dask task runner for a local cluster of worker processes (imported only when chosen: the `dask` extra)."""

from __future__ import annotations

from typing import Self

import dask
from prefect import get_client
from prefect_dask import DaskTaskRunner


class LocalDaskTaskRunner(DaskTaskRunner):
    """`DaskTaskRunner` whose local workers report to this process's Prefect API and may start processes.

    Workers get `PREFECT_API_URL` (without it, under a temporary server, each would start its own) and are not
    daemonic while the runner runs (a daemonic process may not start the image stage's process pool).
    """

    def __enter__(self) -> Self:
        super().__enter__()
        env = self.cluster_kwargs.setdefault("env", {})
        env.setdefault("PREFECT_API_URL", str(get_client(sync_client=True).api_url))
        self._exit_stack.enter_context(dask.config.set({"distributed.worker.daemon": False}))
        return self
