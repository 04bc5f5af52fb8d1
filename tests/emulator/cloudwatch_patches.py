"""A patch to moto 5.2.5's CloudWatch (metrics) backend.

``GetMetricData`` with a ``MetricStat`` whose metric has ``Dimensions``
ignored the metric's ``Namespace``: moto filters the period's data points by
namespace and name, then, when dimensions are given, filters *again from all
the period's points* by dimensions and name only.  A query for ``AWS/DMS``
``CPUUtilization`` of instance ``main`` then averaged in any other
namespace's ``CPUUtilization`` with the same dimensions.  The CloudWatch API
reference: a metric is identified by namespace, name and dimensions together.

Call :func:`apply` once, before the moto server handles its first request.
"""

from __future__ import annotations

import types
from datetime import datetime
from typing import Any

from moto.cloudwatch import models as M

Backend = M.CloudWatchBackend
_ORIGINAL = Backend.get_metric_data


def _in_namespace(self: Backend, namespace: str) -> Any:
    """A stand-in for the backend whose data points are one namespace's only
    (moto's get_metric_data reads nothing from the backend but get_all_metrics)."""
    return types.SimpleNamespace(
        get_all_metrics=lambda: [md for md in self.get_all_metrics() if md.namespace == namespace])


def get_metric_data(self: Backend, queries: list[dict[str, Any]], start_time: datetime,
                    end_time: datetime, scan_by: str = "TimestampAscending") -> list[dict[str, Any]]:
    stat_queries = [q for q in queries if "MetricStat" in q]
    expressions = [q for q in queries if "Expression" in q]
    namespaces = {q["MetricStat"]["Metric"].get("Namespace") for q in stat_queries}
    insights = any(q["Expression"].startswith("SELECT") for q in expressions)
    if not stat_queries or insights or (expressions and len(namespaces) > 1):
        # Metrics Insights queries span namespaces, and so may math over several:
        # left to moto as it is.
        return _ORIGINAL(self, queries, start_time, end_time, scan_by)
    if len(namespaces) == 1:
        return _ORIGINAL(_in_namespace(self, namespaces.pop()), queries, start_time, end_time, scan_by)
    # Several namespaces, MetricStat queries only: one namespace at a time,
    # answered in the order of the queries.
    by_id: dict[str, dict] = {}
    for ns in namespaces:
        subset = [q for q in stat_queries if q["MetricStat"]["Metric"].get("Namespace") == ns]
        for r in _ORIGINAL(_in_namespace(self, ns), subset, start_time, end_time, scan_by):
            by_id[r["id"]] = r
    return [by_id[q["Id"]] for q in stat_queries if q["Id"] in by_id]


def apply() -> None:
    if getattr(Backend, "_dmsctl_patched", False):
        return
    Backend._dmsctl_patched = True
    Backend.get_metric_data = get_metric_data
