"""A patch to moto 5.2.5's CloudWatch (metrics) backend.

``GetMetricData`` with a ``MetricStat`` whose metric has ``Dimensions``
ignored the metric's ``Namespace``: moto filters the period's data points by
namespace and name, then, when dimensions are given, filters *again from all
the period's points* by dimensions and name only.  A query for ``AWS/DMS``
``CPUUtilization`` of instance ``main`` then averaged in any other
namespace's ``CPUUtilization`` with the same dimensions.  The CloudWatch API
reference: a metric is identified by namespace, name and dimensions together.

Metric alarms (``PutMetricAlarm``, ``DescribeAlarms``, ``DeleteAlarms`` and the
tag operations on alarm ARNs) get the behaviour the CloudWatch API reference
documents where moto 5.2.5 differs; see the second half of this file and
README.md ("CloudWatch metric alarms").

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
    _apply_alarms()


# ---------------------------------------------------------------------------
# Metric alarms.  moto 5.2.5, measured through the CBOR bridge: PutMetricAlarm
# validated nothing (Period 45, EvaluationPeriods 0, an unknown
# ComparisonOperator or Statistic, no Threshold: all accepted); a new alarm
# started "OK" ("Unchecked: Initial alarm creation"); an update reset the
# state and merged the call's Tags into the alarm's; DescribeAlarms ignored
# MaxRecords/NextToken, used only the first of AlarmNames / AlarmNamePrefix /
# StateValue / ActionPrefix, and returned composite alarms without AlarmTypes;
# DeleteAlarms ignored unknown names and kept the deleted alarm's tags;
# ListTagsForResource answered [] for unknown ARNs and UntagResource refused
# alarms that had no tags.
# ---------------------------------------------------------------------------

import base64  # noqa: E402
import json  # noqa: E402

from moto.cloudwatch import responses as R  # noqa: E402
from moto.cloudwatch.exceptions import CloudWatchException, ResourceNotFound, ResourceNotFoundException  # noqa: E402
from moto.core.utils import utcnow  # noqa: E402


class ValidationError(CloudWatchException):
    # Not a modelled error: what CloudWatch answers for input that breaks the
    # model's constraints ("1 validation error detected: ...").
    code = "ValidationError"


class InvalidParameterCombination(CloudWatchException):
    code = "InvalidParameterCombinationException"  # model shape; query code InvalidParameterCombination


class MissingParameter(CloudWatchException):
    code = "MissingRequiredParameterException"  # model shape; query code MissingParameter


class InvalidNextToken(CloudWatchException):
    code = "InvalidNextToken"


# PutMetricAlarm members' enums (botocore's model).
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
COMPARISON_OPERATORS = ("GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
                        "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold",
                        "LessThanLowerThreshold", "GreaterThanUpperThreshold")
ANOMALY_OPERATORS = COMPARISON_OPERATORS[4:]  # "used only for alarms based on anomaly detection models"
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")
ALARM_STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
DESCRIBE_ALARMS_DEFAULT_MAX = 50  # an assumption: the reference gives MaxRecords 1..100 but no default


def _constraint(member: str, value: object, rule: str) -> ValidationError:
    return ValidationError(f"1 validation error detected: Value '{value}' at '{member[0].lower() + member[1:]}' "
                           f"failed to satisfy constraint: {rule}")


def _check_put_metric_alarm(p: dict) -> None:
    name = p.get("AlarmName")
    if not isinstance(name, str) or not name:
        raise MissingParameter("The parameter AlarmName is required.")
    if len(name) > 255:
        raise _constraint("AlarmName", name, "Member must have length less than or equal to 255")
    for key in ("EvaluationPeriods", "DatapointsToAlarm", "Period"):
        v = p.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise _constraint(key, v, "Member must have value greater than or equal to 1")
    for key, allowed in (("Statistic", STATISTICS), ("ComparisonOperator", COMPARISON_OPERATORS)):
        if p.get(key) is not None and p[key] not in allowed:
            raise _constraint(key, p[key], f"Member must satisfy enum value set: [{', '.join(allowed)}]")
    if p.get("TreatMissingData") is not None and p["TreatMissingData"] not in TREAT_MISSING:
        raise ValidationError(f"Option {p['TreatMissingData']} is not supported. Supported options for "
                              f"parameter TreatMissingData are {', '.join(TREAT_MISSING)}.")
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        if len(p.get(key) or []) > 5:  # "max": 5
            raise _constraint(key, p[key], "Member must have length less than or equal to 5")
    if len(p.get("Dimensions") or []) > 30:
        raise _constraint("Dimensions", "...", "Member must have length less than or equal to 30")
    if len(p.get("Tags") or []) > 50:  # "You can associate as many as 50 tags with an alarm."
        raise ValidationError("An alarm can have at most 50 tags.")
    if p.get("EvaluationCriteria") is not None:
        return  # PromQL alarms: not judged further here
    has_metric, has_metrics = p.get("MetricName") is not None, bool(p.get("Metrics"))
    # "For each PutMetricAlarm operation, you must specify either MetricName, a
    # Metrics array, or an EvaluationCriteria."
    if has_metric and has_metrics:
        raise InvalidParameterCombination("Specify either MetricName or Metrics, not both.")
    if not has_metric and not has_metrics:
        raise MissingParameter("Specify MetricName, Metrics or EvaluationCriteria.")
    if has_metrics:
        for key in ("Namespace", "Dimensions", "Period", "Unit", "Statistic", "ExtendedStatistic"):
            if p.get(key) is not None:
                raise InvalidParameterCombination(f"{key} can't be used with Metrics.")
    else:
        # "you must specify either Statistic or ExtendedStatistic, but not both"
        if p.get("Statistic") is not None and p.get("ExtendedStatistic") is not None:
            raise InvalidParameterCombination("Specify either Statistic or ExtendedStatistic, not both.")
        if p.get("Statistic") is None and p.get("ExtendedStatistic") is None:
            raise MissingParameter("Specify Statistic or ExtendedStatistic with MetricName.")
        if p.get("Period") is None:  # "Period is required for alarms based on static thresholds."
            raise MissingParameter("The parameter Period is required.")
        # "Valid values are 10, 20, 30, and any multiple of 60."
        if p["Period"] not in (10, 20, 30) and p["Period"] % 60:
            raise ValidationError(f"Invalid Period {p['Period']}: valid values are 10, 20, 30, and any "
                                  "multiple of 60.")
    if p.get("EvaluationPeriods") is None:
        raise MissingParameter("The parameter EvaluationPeriods is required.")
    if p.get("ComparisonOperator") is None:
        raise MissingParameter("The parameter ComparisonOperator is required.")
    if p.get("DatapointsToAlarm") is not None and p["DatapointsToAlarm"] > p["EvaluationPeriods"]:
        raise ValidationError("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    anomaly = p.get("ThresholdMetricId") is not None
    if anomaly and p.get("Threshold") is not None:
        raise InvalidParameterCombination("Specify either Threshold or ThresholdMetricId, not both.")
    if not anomaly:
        # "This parameter is required for alarms based on static thresholds"
        if p.get("Threshold") is None:
            raise MissingParameter("The parameter Threshold is required.")
        if p["ComparisonOperator"] in ANOMALY_OPERATORS:
            raise ValidationError(f"ComparisonOperator {p['ComparisonOperator']} is used only for alarms "
                                  "based on anomaly detection models.")


_orig_put_metric_alarm = R.CloudWatchResponse.put_metric_alarm


def r_put_metric_alarm(self: R.CloudWatchResponse):  # noqa: ANN201
    p = {k: self._get_param(k) for k in (
        "AlarmName", "EvaluationPeriods", "DatapointsToAlarm", "Period", "Statistic", "ExtendedStatistic",
        "ComparisonOperator", "TreatMissingData", "AlarmActions", "OKActions", "InsufficientDataActions",
        "Dimensions", "Tags", "EvaluationCriteria", "MetricName", "Metrics", "Namespace", "Unit",
        "ThresholdMetricId", "Threshold")}
    _check_put_metric_alarm(p)
    backend = self.cloudwatch_backend
    old = backend.alarms.get(p["AlarmName"])
    if old is None:
        result = _orig_put_metric_alarm(self)
        # "When this operation creates an alarm, the alarm state is immediately
        # set to INSUFFICIENT_DATA."
        new = backend.alarms[p["AlarmName"]]
        new.state_value = "INSUFFICIENT_DATA"
        new.state_reason = "Unchecked: Initial alarm creation"
        return result
    # "When you update an existing alarm, its state is left unchanged, but the
    # update completely overwrites the previous configuration of the alarm."
    # "If you are using this operation to update an existing alarm, any tags
    # you specify in this parameter are ignored."
    tags = backend.tagger.list_tags_for_resource(old.alarm_arn)["Tags"]
    backend.tagger.delete_all_tags_for_resource(old.alarm_arn)
    result = _orig_put_metric_alarm(self)
    backend.tagger.delete_all_tags_for_resource(old.alarm_arn)
    if tags:
        backend.tagger.tag_resource(old.alarm_arn, tags)
    new = backend.alarms[p["AlarmName"]]
    for attr in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp", "history"):
        if hasattr(old, attr):
            setattr(new, attr, getattr(old, attr))
    new.configuration_updated_timestamp = utcnow()
    return result


def _encode_token(offset: int, query: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": query}, sort_keys=True).encode()).decode()


def r_describe_alarms(self: R.CloudWatchResponse):  # noqa: ANN201
    names = self._get_param("AlarmNames") or []
    prefix = self._get_param("AlarmNamePrefix")
    state = self._get_param("StateValue")
    action_prefix = self._get_param("ActionPrefix")
    types = self._get_param("AlarmTypes") or ["MetricAlarm"]  # "If you omit this parameter, only metric alarms"
    max_records = self._get_param("MaxRecords")
    token = self._get_param("NextToken")
    if names and prefix is not None:
        # "If this parameter is specified, you cannot specify AlarmNames."
        raise InvalidParameterCombination("Specify either AlarmNames or AlarmNamePrefix, not both.")
    if len(names) > 100:
        raise _constraint("AlarmNames", "...", "Member must have length less than or equal to 100")
    if state is not None and state not in ALARM_STATES:
        raise _constraint("StateValue", state, f"Member must satisfy enum value set: [{', '.join(ALARM_STATES)}]")
    if max_records is not None and (isinstance(max_records, bool) or not isinstance(max_records, int)
                                    or not 1 <= max_records <= 100):
        raise _constraint("MaxRecords", max_records,
                          "Member must have value between 1 and 100")  # the model's min 1, max 100
    query = {"n": sorted(names), "p": prefix, "s": state, "a": action_prefix, "t": sorted(types)}
    offset = 0
    if token:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            if data["q"] != query or not isinstance(data["o"], int) or data["o"] < 0:
                raise ValueError
            offset = data["o"]
        except Exception:
            raise InvalidNextToken("The service returned an invalid NextToken.")
    alarms = list(self.cloudwatch_backend.alarms.values())
    if names:
        alarms = [a for a in alarms if a.name in names]
    if prefix is not None:
        alarms = [a for a in alarms if a.name.startswith(prefix)]
    if state is not None:
        alarms = [a for a in alarms if a.state_value == state]
    if action_prefix is not None:
        alarms = [a for a in alarms if any(x.startswith(action_prefix) for x in a.alarm_actions or [])]
    kinds = [a for a in alarms if (a.rule is None and "MetricAlarm" in types)
             or (a.rule is not None and "CompositeAlarm" in types)]
    size = max_records or DESCRIBE_ALARMS_DEFAULT_MAX
    page = kinds[offset:offset + size]
    result = {"MetricAlarms": [a for a in page if a.rule is None],
              "CompositeAlarms": [a for a in page if a.rule is not None]}
    if offset + size < len(kinds):
        result["NextToken"] = _encode_token(offset + size, query)
    return R.ActionResult(result)


def r_delete_alarms(self: R.CloudWatchResponse):  # noqa: ANN201
    names = self._get_param("AlarmNames")
    if names is None:
        raise MissingParameter("The parameter AlarmNames is required.")
    if len(names) > 100:  # "You can delete up to 100 alarms in one operation."
        raise _constraint("AlarmNames", "...", "Member must have length less than or equal to 100")
    backend = self.cloudwatch_backend
    missing = [n for n in names if n not in backend.alarms]
    if missing:
        # DeleteAlarms' error list: ResourceNotFound, "The named resource does
        # not exist."  Nothing is deleted (an assumption).
        raise ResourceNotFound(f"{len(missing)} alarm(s) do not exist: {', '.join(missing)}")
    for n in names:
        backend.tagger.delete_all_tags_for_resource(backend.alarms.pop(n).alarm_arn)
    return R.EmptyResult()


def _check_alarm_arn(self: R.CloudWatchResponse, arn: object) -> None:
    if not isinstance(arn, str) or not arn:
        raise MissingParameter("The parameter ResourceARN is required.")
    if ":alarm:" in arn and arn not in {a.alarm_arn for a in self.cloudwatch_backend.alarms.values()}:
        raise ResourceNotFoundException(f"Alarm {arn} does not exist.")


_orig_list_tags = R.CloudWatchResponse.list_tags_for_resource
_orig_untag = R.CloudWatchResponse.untag_resource


def r_list_tags_for_resource(self: R.CloudWatchResponse):  # noqa: ANN201
    _check_alarm_arn(self, self._get_param("ResourceARN"))
    return _orig_list_tags(self)


def r_untag_resource(self: R.CloudWatchResponse):  # noqa: ANN201
    arn = self._get_param("ResourceARN")
    _check_alarm_arn(self, arn)
    if ":alarm:" in arn:  # moto refused alarms without tags (it looked the ARN up among tagged ones)
        self.cloudwatch_backend.tagger.untag_resource_using_names(arn, self._get_param("TagKeys") or [])
        return R.EmptyResult()
    return _orig_untag(self)


def _apply_alarms() -> None:
    for name, fn in {
        "put_metric_alarm": r_put_metric_alarm,
        "describe_alarms": r_describe_alarms,
        "delete_alarms": r_delete_alarms,
        "list_tags_for_resource": r_list_tags_for_resource,
        "untag_resource": r_untag_resource,
    }.items():
        setattr(R.CloudWatchResponse, name, fn)
