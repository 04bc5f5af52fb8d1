"""Patches that bring moto 5.2.5's Cost Explorer (``ce``) closer to the real API.

What ``dmsctl cost --actual`` needs: ``GetCostAndUsage`` (moto answers it from a
queue of results that tests fill, but checks nothing) and
``ListCostAllocationTags`` (absent from moto).  The reference is the AWS Cost
Explorer API reference, whose text ships with botocore as
``botocore/data/ce/2017-10-25/service-2.json``; constraint violations are
``ValidationException`` (HTTP 400) as AWS's JSON services answer them, with
messages in AWS's "1 validation error detected" style where the model gives
the constraint.

Call :func:`apply` once, before the moto server handles its first request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Any

from moto.ce import models as M
from moto.ce import responses as R
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import JsonRESTError

Backend = M.CostExplorerBackend


class ValidationException(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("ValidationException", message)


class InvalidNextTokenException(JsonRESTError):
    # Model: "The pagination token is invalid. Try again without a pagination token."
    def __init__(self, message: str = "The pagination token is invalid. Try again without a pagination token."):
        super().__init__("InvalidNextTokenException", message)


class RequestChangedException(JsonRESTError):
    # Model: "Your request parameters changed between pages. Try again with the old
    # parameters or without a pagination token."
    def __init__(self) -> None:
        super().__init__("RequestChangedException",
                         "Your request parameters changed between pages. Try again with the old "
                         "parameters or without a pagination token.")


def _model() -> Any:
    import botocore.session

    global _MODEL
    if _MODEL is None:
        _MODEL = botocore.session.Session().get_service_model("ce")
    return _MODEL


_MODEL: Any = None


def _enum(shape_name: str) -> list[str]:
    return list(_model().shape_for(shape_name).enum)


def _not_null(member: str) -> ValidationException:
    return ValidationException(f"1 validation error detected: Value null at '{member}' failed to "
                               "satisfy constraint: Member must not be null")


def _not_in_enum(member: str, value: Any, allowed: list[str]) -> ValidationException:
    return ValidationException(f"1 validation error detected: Value '{value}' at '{member}' failed "
                               f"to satisfy constraint: Member must satisfy enum value set: "
                               f"[{', '.join(allowed)}]")


def _canonical(params: dict) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"))


def _params(resp: Any) -> dict:
    body = resp.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    try:
        params = json.loads(body or "{}")
    except ValueError:
        raise JsonRESTError("SerializationException", "The request body is not valid JSON") from None
    if not isinstance(params, dict):
        raise JsonRESTError("SerializationException", "The request body must be a JSON object")
    return params


def _init_extra(self: Backend) -> None:
    if not hasattr(self, "dmsctl_tokens"):
        # NextPageToken -> the request (without its token) whose answer carried it.
        self.dmsctl_tokens: dict[str, str] = {}
        # Seeded through PUT /_dmsctl/cost-allocation-tags.
        self.cost_allocation_tags: list[dict] = []


# ---------------------------------------------------------------------------
# GetCostAndUsage
# ---------------------------------------------------------------------------

# DateInterval.Start/End are YearMonthDay: "(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?"
# (the time part is for HOURLY granularity).
_YEAR_MONTH_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?$")
# GetCostAndUsageRequest.Metrics: "Valid values are AmortizedCost, BlendedCost,
# NetAmortizedCost, NetUnblendedCost, NormalizedUsageAmount, UnblendedCost,
# UsageQuantity, BilledCost, ContractedCost, ListCost, PublicEquivalentBilledCost,
# and PublicOnDemandCost."
METRICS = ("AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost",
           "NormalizedUsageAmount", "UnblendedCost", "UsageQuantity", "BilledCost",
           "ContractedCost", "ListCost", "PublicEquivalentBilledCost", "PublicOnDemandCost")
# GroupBy: "You can group Amazon Web Services costs using up to two different groups".
MAX_GROUP_BY = 2


def _parse_day(member: str, value: Any) -> datetime:
    if value is None:
        raise _not_null(member)
    m = _YEAR_MONTH_DAY.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            r"constraint: Member must satisfy regular expression pattern: "
            r"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?")
    try:
        day = datetime.strptime(m.group(1), "%Y-%m-%d")
        if m.group(2):
            day = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise ValidationException(f"{member} is not a valid date: {value}") from None
    return day.replace(tzinfo=timezone.utc)


def _check_get_cost_and_usage(p: dict) -> None:
    period = p.get("TimePeriod")
    if period is None:
        raise _not_null("timePeriod")
    if not isinstance(period, dict):
        raise ValidationException("TimePeriod must be an object with Start and End")
    start = _parse_day("timePeriod.start", period.get("Start"))
    end = _parse_day("timePeriod.end", period.get("End"))
    # DateInterval: the start date is inclusive, the end date exclusive.
    if not start < end:
        raise ValidationException("Start date (and hour) should be before end date (and hour)")
    # DateInterval.Start: "The start date must be equal to or no later than the
    # current date to avoid a validation error."
    if start.date() > datetime.now(timezone.utc).date():
        raise ValidationException(f"Start date {period['Start']} is after the current date")

    granularity = p.get("Granularity")
    if granularity is None:
        raise _not_null("granularity")
    if granularity not in _enum("Granularity"):
        raise _not_in_enum("granularity", granularity, _enum("Granularity"))

    metrics = p.get("Metrics")
    # "Metrics is required for GetCostAndUsage requests."
    if metrics is None or metrics == []:
        raise ValidationException("Metrics is required for GetCostAndUsage requests.")
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise ValidationException("Metrics must be a list of metric names")
    for m in metrics:
        if m not in METRICS:
            raise ValidationException(f"Invalid metric name {m!r}: valid values are {', '.join(METRICS)}")

    group_by = p.get("GroupBy")
    if group_by is not None:
        if not isinstance(group_by, list) or not all(isinstance(g, dict) for g in group_by):
            raise ValidationException("GroupBy must be a list of {Type, Key} objects")
        if len(group_by) > MAX_GROUP_BY:
            raise ValidationException(f"You can group by at most {MAX_GROUP_BY} groups "
                                      f"(got {len(group_by)})")
        types = _enum("GroupDefinitionType")
        for i, g in enumerate(group_by, 1):
            if g.get("Type") not in types:
                raise _not_in_enum(f"groupBy.{i}.member.type", g.get("Type"), types)
            key = g.get("Key")
            if not isinstance(key, str) or not key:
                raise ValidationException(f"GroupBy entry {i} needs a Key")
            # A DIMENSION key names one of the model's Dimension values
            # (SERVICE, USAGE_TYPE, REGION, ...).
            if g["Type"] == "DIMENSION" and key not in _enum("Dimension"):
                raise _not_in_enum(f"groupBy.{i}.member.key", key, _enum("Dimension"))
    flt = p.get("Filter")
    if flt is not None and not isinstance(flt, dict):
        raise ValidationException("Filter must be an Expression object")


def _typed(value: Any, shape: Any) -> Any:
    """A queued result as AWS JSON 1.1 writes it, typed by the output shape: null
    members dropped, numbers in string members (MetricValue.Amount is a string:
    "12.34") turned into strings."""
    if value is None or shape is None:
        return value
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        return {k: _typed(v, shape.members.get(k)) for k, v in value.items() if v is not None}
    if t == "list" and isinstance(value, list):
        return [_typed(v, shape.member) for v in value if v is not None]
    if t == "map" and isinstance(value, dict):
        return {k: _typed(v, shape.value) for k, v in value.items() if v is not None}
    if t == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    return value


def r_get_cost_and_usage(self: Any) -> str:
    p = _params(self)
    _check_get_cost_and_usage(p)
    backend = self.ce_backend
    _init_extra(backend)
    base = _canonical({k: v for k, v in p.items() if k != "NextPageToken"})
    token = p.get("NextPageToken")
    if token is not None:
        # A token continues the request whose answer carried it, and only that one.
        if token not in backend.dmsctl_tokens:
            raise InvalidNextTokenException()
        if backend.dmsctl_tokens[token] != base:
            raise RequestChangedException()
    # moto's queue: the first request with a given body takes the next queued
    # result, the same body again gets the same result.  Keyed here by the
    # canonical JSON of the request (moto keys by the raw body, so a
    # whitespace difference took the next result).
    result = dict(backend.get_cost_and_usage(_canonical(p)))
    result.setdefault("ResultsByTime", [])
    result.setdefault("DimensionValueAttributes", [])
    if p.get("GroupBy") and "GroupDefinitions" not in result:
        # "The groups that are specified by the Filter or GroupBy parameters in the request."
        result["GroupDefinitions"] = p["GroupBy"]
    doc = _typed(result, _model().operation_model("GetCostAndUsage").output_shape)
    if doc.get("NextPageToken"):
        backend.dmsctl_tokens[doc["NextPageToken"]] = base
    return json.dumps(doc)


# ---------------------------------------------------------------------------
# ListCostAllocationTags (absent from moto)
# ---------------------------------------------------------------------------

# ListCostAllocationTagsRequest.MaxResults: CostAllocationTagsMaxResults 1..1000,
# "By default, the request returns 100 results."
TAGS_MAX_RESULTS = (1, 1000)
TAGS_DEFAULT_MAX_RESULTS = 100
# ZonedDateTime
_ZONED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(([+-]\d\d:\d\d)|Z)$")


def _encode_token(query: str, offset: int) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    return base64.urlsafe_b64encode(json.dumps({"q": digest, "o": offset}).encode()).decode()


def _decode_token(query: str, token: Any) -> int:
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = doc["o"]
        ok = doc["q"] == hashlib.sha256(query.encode()).hexdigest()[:16] and isinstance(offset, int)
    except (AttributeError, ValueError, KeyError, TypeError, binascii.Error):
        ok = False
    if not ok:
        raise InvalidNextTokenException()
    return offset


def r_list_cost_allocation_tags(self: Any) -> str:
    p = _params(self)
    statuses, types = _enum("CostAllocationTagStatus"), _enum("CostAllocationTagType")
    status, ttype, keys = p.get("Status"), p.get("Type"), p.get("TagKeys")
    if status is not None and status not in statuses:
        raise _not_in_enum("status", status, statuses)
    if ttype is not None and ttype not in types:
        raise _not_in_enum("type", ttype, types)
    if keys is not None:
        # CostAllocationTagKeyList: 1..100 tag keys
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ValidationException("TagKeys must be a list of tag keys")
        if not 1 <= len(keys) <= 100:
            raise ValidationException(
                f"1 validation error detected: Value '{keys}' at 'tagKeys' failed to satisfy "
                "constraint: Member must have length between 1 and 100")
    max_results = p.get("MaxResults", TAGS_DEFAULT_MAX_RESULTS)
    lo, hi = TAGS_MAX_RESULTS
    if not isinstance(max_results, int) or isinstance(max_results, bool) or not lo <= max_results <= hi:
        raise ValidationException(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value between {lo} and {hi}")
    query = _canonical({"Status": status, "Type": ttype, "TagKeys": keys})
    offset = _decode_token(query, p["NextToken"]) if p.get("NextToken") is not None else 0

    backend = self.ce_backend
    _init_extra(backend)
    tags = [t for t in backend.cost_allocation_tags
            if (status is None or t["Status"] == status)
            and (ttype is None or t["Type"] == ttype)
            and (keys is None or t["TagKey"] in keys)]
    page = tags[offset:offset + max_results]
    doc: dict[str, Any] = {"CostAllocationTags": page}
    if offset + max_results < len(tags):
        doc["NextToken"] = _encode_token(query, offset + max_results)
    return json.dumps(doc)


def _ce_backend(account_id: str = DEFAULT_ACCOUNT_ID) -> Backend:
    backend = M.ce_backends[account_id]["aws"]
    _init_extra(backend)
    return backend


def set_cost_allocation_tags(tags: Any, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Control-API hook (PUT /_dmsctl/cost-allocation-tags): replace the account's
    cost allocation tags with `tags`, CostAllocationTag objects as the API returns
    them.  Raises ValueError for anything the model would not return."""
    if not isinstance(tags, list) or not all(isinstance(t, dict) for t in tags):
        raise ValueError("body must be a JSON list of CostAllocationTag objects")
    members = set(_model().shape_for("CostAllocationTag").members)
    statuses, types = _enum("CostAllocationTagStatus"), _enum("CostAllocationTagType")
    seen: set[str] = set()
    for i, t in enumerate(tags):
        extra = set(t) - members
        if extra:
            raise ValueError(f"tag {i}: unknown member(s) {sorted(extra)}; CostAllocationTag has {sorted(members)}")
        if not isinstance(t.get("TagKey"), str) or not t["TagKey"]:
            raise ValueError(f"tag {i}: \"TagKey\" is required")
        if t["TagKey"] in seen:
            raise ValueError(f"tag {i}: duplicate TagKey {t['TagKey']!r}")
        seen.add(t["TagKey"])
        if t.get("Type") not in types:
            raise ValueError(f"tag {i}: \"Type\" must be one of {types}")
        if t.get("Status") not in statuses:
            raise ValueError(f"tag {i}: \"Status\" must be one of {statuses}")
        for k in ("LastUpdatedDate", "LastUsedDate"):
            if k in t and not (isinstance(t[k], str) and _ZONED.match(t[k])):
                raise ValueError(f"tag {i}: {k!r} must be an ISO-8601 date-time with a zone "
                                 "(ZonedDateTime, e.g. \"2026-11-01T00:00:00Z\")")
    _ce_backend(account_id).cost_allocation_tags = [dict(t) for t in tags]


def get_cost_allocation_tags(account_id: str = DEFAULT_ACCOUNT_ID) -> list[dict]:
    return list(_ce_backend(account_id).cost_allocation_tags)


# ---------------------------------------------------------------------------


def apply() -> None:
    if getattr(R.CostExplorerResponse, "_dmsctl_patched", False):
        return
    R.CostExplorerResponse._dmsctl_patched = True
    R.CostExplorerResponse.get_cost_and_usage = r_get_cost_and_usage
    R.CostExplorerResponse.list_cost_allocation_tags = r_list_cost_allocation_tags
