"""Task runners the flows can choose for a stage; Dask (the `dask` extra) is imported only when chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

RunnerKind = Literal["threads", "dask"]


def image_task_runner(kind: RunnerKind, dask_workers: int) -> TaskRunner | None:
    """None for the flow's own threads, or a Dask runner on a local cluster of `dask_workers` processes."""
    if kind == "threads":
        return None
    if dask_workers < 1:
        raise ValueError(f"dask_workers must be at least 1, not {dask_workers}")
    try:
        from flows.dask_runner import LocalDaskTaskRunner
    except ModuleNotFoundError as exc:
        raise RuntimeError("task runner 'dask' needs the dask extra (prefect-dask, distributed): "
                           "uv pip install -e '.[dask]' (or pip install '.[dask]')") from exc
    return LocalDaskTaskRunner(cluster_kwargs={"n_workers": dask_workers, "threads_per_worker": 1, "processes": True,
                                               "dashboard_address": "127.0.0.1:0"})  # loopback, a free port
