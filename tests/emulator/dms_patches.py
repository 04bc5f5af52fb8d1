"""Patches that bring moto 5.2.5's DMS backend closer to the real AWS DMS API.

Every patch below exists because moto 5.2.5 differs from AWS in a way that
dmsctl's tests would notice; the comment on each says which.  The reference
is the AWS DMS API reference (the same text ships with botocore as
``botocore/data/dms/2016-01-01/service-2.json``).  Nothing here invents
behaviour DMS does not document; where AWS's exact wording is unknown the
error *type* follows the API reference and the message just says what is wrong.

Call :func:`apply` once, before the moto server handles its first request.
Timestamps are normalised separately, by the WSGI middleware in
``middleware.py`` (it converts every timestamp member of every DMS response,
including the ones produced here).
"""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import datetime, timezone
from typing import Any, Callable

from moto.core.utils import utcnow
from moto.dms import models as M
from moto.dms import responses as R
from moto.dms.exceptions import (
    DmsClientError,
    InvalidParameterCombinationException,
    InvalidResourceStateFault,
    ResourceAlreadyExistsFault,
    ResourceNotFoundFault,
)
from moto.dms.utils import random_id
from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState
from moto.utilities.utils import get_partition

Backend = M.DatabaseMigrationServiceBackend


class InvalidParameterValueException(DmsClientError):
    def __init__(self, message: str):
        super().__init__("InvalidParameterValueException", message)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

MIGRATION_TYPES = ("full-load", "cdc", "full-load-and-cdc")
START_TASK_TYPES = ("start-replication", "resume-processing", "reload-target")
# ComputeConfig.{Min,Max}CapacityUnits: "The list of valid DCU values includes
# 1, 2, 4, 8, 16, 32, 64, 128, 192, 256, and 384."
VALID_DCUS = (1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384)
# The rule types of the DMS user guide: "Specifying table selection and
# transformations rules using JSON" lists the first four, and the DynamoDB,
# Kinesis and Kafka target pages add "object-mapping".
TABLE_MAPPING_RULE_TYPES = (
    "selection",
    "transformation",
    "table-settings",
    "post-processing",
    "object-mapping",
)
_ARN_RE = re.compile(r"^arn:aws[a-z-]*:dms:[a-z0-9-]+:\d{12}:[a-z-]+:[A-Za-z0-9._-]+$")
_ID_RE = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*(?<!-)$")

# Real AWS answers a Describe* call whose filters match nothing with
# ResourceNotFoundFault ("No Endpoints found matching provided filters",
# "No Tasks found matching provided filters"); an unfiltered call on an empty
# account answers an empty list.  Set DMSCTL_EMULATOR_EMPTY_FILTER_FAULT=0 to
# get moto's plain empty list instead.
EMPTY_FILTER_FAULT = os.environ.get("DMSCTL_EMULATOR_EMPTY_FILTER_FAULT", "1") != "0"


def _now_epoch() -> float:
    return datetime.now(timezone.utc).timestamp()


def _epoch(dt: datetime | None) -> float | None:
    if dt is None:
        return None
    if dt.tzinfo is None:  # moto's utcnow() is naive UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _params(resp: Any) -> dict[str, Any]:
    body = resp.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body or "{}")


def _required(params: dict[str, Any], *names: str) -> None:
    for n in names:
        if params.get(n) in (None, ""):
            raise InvalidParameterValueException(f"The parameter {n} must be provided.")


def _check_identifier(name: str, value: Any, max_len: int) -> None:
    """The identifier constraints the API reference lists for DMS resources."""
    if not isinstance(value, str) or not value:
        raise InvalidParameterValueException(f"The parameter {name} must be provided.")
    if len(value) > max_len or not _ID_RE.match(value):
        raise InvalidParameterValueException(
            f"The parameter {name} is not a valid identifier: {value!r}. Identifiers must "
            f"contain 1-{max_len} ASCII letters, digits or hyphens, begin with a letter, "
            "and can't end with a hyphen or contain two consecutive hyphens."
        )


def _check_arn(name: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidParameterValueException(f"The parameter {name} must be provided.")
    if not _ARN_RE.match(value):
        raise InvalidParameterValueException(f"Invalid {name}: {value!r} is not a valid DMS ARN.")


def _check_migration_type(name: str, value: Any) -> None:
    if value not in MIGRATION_TYPES:
        raise InvalidParameterValueException(
            f"Invalid {name} {value!r}: must be one of {', '.join(MIGRATION_TYPES)}."
        )


def _check_json_doc(name: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        doc = json.loads(value)
    except (TypeError, ValueError) as e:
        raise InvalidParameterValueException(f"Invalid {name}: not valid JSON ({e}).")
    if not isinstance(doc, dict):
        raise InvalidParameterValueException(f"Invalid {name}: the document must be a JSON object.")
    return doc


def _check_table_mappings(value: Any) -> None:
    """TableMappings must be a JSON document with a non-empty `rules` list and
    at least one selection rule (DMS user guide, "Specifying table selection
    and transformations rules using JSON")."""
    if value in (None, ""):
        raise InvalidParameterValueException("The parameter TableMappings must be provided.")
    doc = _check_json_doc("TableMappings", value)
    rules = doc.get("rules")
    if not isinstance(rules, list) or not rules:
        raise InvalidParameterValueException(
            "Invalid TableMappings: the document must contain a non-empty \"rules\" array."
        )
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise InvalidParameterValueException(f"Invalid TableMappings: rule #{i + 1} is not an object.")
        rtype = rule.get("rule-type")
        if rtype not in TABLE_MAPPING_RULE_TYPES:
            raise InvalidParameterValueException(
                f"Invalid TableMappings: rule #{i + 1} has an invalid rule-type {rtype!r}."
            )
        for key in ("rule-id", "rule-name"):
            if rule.get(key) in (None, ""):
                raise InvalidParameterValueException(
                    f"Invalid TableMappings: rule #{i + 1} is missing \"{key}\"."
                )
    if not any(r.get("rule-type") == "selection" for r in rules):
        raise InvalidParameterValueException(
            "Invalid TableMappings: at least one selection rule is required."
        )


# ---- Marker pagination ------------------------------------------------------
# moto never returns Marker and silently truncates to MaxRecords.  AWS:
# "MaxRecords ... Default: 100. Constraints: Minimum 20, maximum 100." and a
# Marker "pagination token" when more records exist.  Markers here are opaque
# (base64 of the offset into the stable, creation-ordered result list).


def _encode_marker(op: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"op": op, "o": offset}).encode()).decode()


def _decode_marker(op: str, marker: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(marker.encode()))
        if data["op"] != op or not isinstance(data["o"], int) or data["o"] < 0:
            raise ValueError
        return data["o"]
    except Exception:
        raise InvalidParameterValueException(f"Invalid Marker {marker!r}.")


def paginate(op: str, items: list, params: dict, lo: int = 20, hi: int = 100) -> tuple[list, str | None]:
    max_records = params.get("MaxRecords")
    if max_records is None:
        max_records = 100
    if not isinstance(max_records, int) or not lo <= max_records <= hi:
        raise InvalidParameterValueException(
            f"Invalid MaxRecords {max_records!r}: must be between {lo} and {hi}."
        )
    start = _decode_marker(op, params["Marker"]) if params.get("Marker") else 0
    page = items[start : start + max_records]
    nxt = start + max_records
    return page, (_encode_marker(op, nxt) if nxt < len(items) else None)


def _check_filters(filters: Any, valid: tuple[str, ...]) -> list[dict]:
    filters = filters or []
    for f in filters:
        if f.get("Name") not in valid:
            raise InvalidParameterValueException(
                f"Invalid filter name {f.get('Name')!r}. Valid filter names: {' | '.join(valid)}."
            )
        if not isinstance(f.get("Values"), list):
            raise InvalidParameterValueException(f"Filter {f.get('Name')!r} needs a Values list.")
    return filters


def _not_found_if_filtered_empty(filters: list, items: list, what: str) -> None:
    if EMPTY_FILTER_FAULT and filters and not items:
        raise ResourceNotFoundFault(f"No {what} found matching provided filters")


def _strip_none(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _strip_none(v) for k, v in d.items() if v is not None}
    if isinstance(d, list):
        return [_strip_none(v) for v in d]
    return d


# ---------------------------------------------------------------------------
# Status lifecycles (moto's state manager)
# ---------------------------------------------------------------------------
# moto tasks jump straight to "running" and never reach "ready"; endpoints stay
# "creating".  Tasks and serverless replications get a ManagedState here, so
# `POST /moto-api/state-manager/set-transition` works for them exactly as for
# moto's own "dms::replicationinstance":
#   model "dms::replicationtask"  creating->ready, modifying->ready,
#                                 starting->running, stopping->stopped
#   model "dms::replication"      initializing->...->running, stopping->stopped
# Default progression: "manual", times=1 (one Describe call per step), like
# moto's replication instances.

TASK_MODEL = "dms::replicationtask"
TASK_TRANSITIONS = [
    ("creating", "ready"),
    ("modifying", "ready"),
    ("starting", "running"),
    ("stopping", "stopped"),
]
REPLICATION_MODEL = "dms::replication"
# DMS user guide, "AWS DMS Serverless components" (state diagram); API values
# are the snake_case forms.
REPLICATION_START_CHAIN = [
    "initializing",
    "preparing_metadata_resources",
    "testing_connection",
    "fetching_metadata",
    "calculating_capacity",
    "provisioning_capacity",
    "replication_starting",
    "running",
]
REPLICATION_TRANSITIONS = list(zip(REPLICATION_START_CHAIN, REPLICATION_START_CHAIN[1:])) + [
    ("stopping", "stopped")
]
REPLICATION_ACTIVE = set(REPLICATION_START_CHAIN) | {"stopping"}
REPLICATION_IDLE = ("created", "stopped", "failed")


class Lifecycle(ManagedState):
    """A ManagedState whose status can be reset (restarting the tick/timer)."""

    def __init__(self, model_name: str, transitions: list, initial: str):
        super().__init__(model_name=model_name, transitions=transitions)
        self.set(initial)

    def set(self, status: str) -> None:
        self._status = status
        self._tick = 0
        self._time_progressed = datetime.now()


# ---------------------------------------------------------------------------
# Resource lookups
# ---------------------------------------------------------------------------


def _init_extra(self: Backend) -> None:
    if not hasattr(self, "replication_configs"):
        self.replication_configs: dict[str, FakeReplicationConfig] = {}
        # Seeded through POST /_dmsctl/table-statistics, keyed by ARN:
        # task ARN -> DescribeTableStatistics rows,
        # replication-config ARN -> DescribeReplicationTableStatistics rows.
        self.table_statistics: dict[str, list[dict]] = {}
        self.replication_table_statistics: dict[str, list[dict]] = {}


def _partition(self: Backend) -> str:
    return get_partition(self.region_name)


def _subnet_group_arn(self: Backend, ident: str) -> str:
    return f"arn:{_partition(self)}:dms:{self.region_name}:{self.account_id}:subgrp:{ident}"


def _endpoint_by_arn(self: Backend, arn: str, param: str = "EndpointArn") -> M.Endpoint:
    _check_arn(param, arn)
    for e in self.endpoints.values():
        if e.endpoint_arn == arn:
            return e
    raise ResourceNotFoundFault(f"Endpoint {arn} not found.")


def _instance_by_arn(self: Backend, arn: str) -> M.FakeReplicationInstance:
    _check_arn("ReplicationInstanceArn", arn)
    inst = self.replication_instances.get(arn)
    if inst is None:
        raise ResourceNotFoundFault(f"Replication instance {arn} not found.")
    return inst


def _task_by_arn(self: Backend, arn: str) -> M.FakeReplicationTask:
    _check_arn("ReplicationTaskArn", arn)
    task = self.replication_tasks.get(arn)
    if task is None:
        raise ResourceNotFoundFault(f"Replication task {arn} not found.")
    return task


def _config_by_arn(self: Backend, arn: str) -> "FakeReplicationConfig":
    _init_extra(self)
    _check_arn("ReplicationConfigArn", arn)
    cfg = self.replication_configs.get(arn)
    if cfg is None:
        raise ResourceNotFoundFault(f"Replication config {arn} not found.")
    return cfg


def _all_resource_arns(self: Backend) -> set[str]:
    _init_extra(self)
    arns = {e.endpoint_arn for e in self.endpoints.values()}
    arns |= set(self.replication_instances)
    arns |= set(self.replication_tasks)
    arns |= set(self.replication_configs)
    arns |= {_subnet_group_arn(self, g) for g in self.replication_subnet_groups}
    return arns


def _check_endpoint_pair(self: Backend, source_arn: str, target_arn: str) -> None:
    src = _endpoint_by_arn(self, source_arn, "SourceEndpointArn")
    tgt = _endpoint_by_arn(self, target_arn, "TargetEndpointArn")
    if src.endpoint_type.lower() != "source":
        raise InvalidParameterCombinationException(
            f"Endpoint {source_arn} is a {src.endpoint_type} endpoint and can't be used as a source."
        )
    if tgt.endpoint_type.lower() != "target":
        raise InvalidParameterCombinationException(
            f"Endpoint {target_arn} is a {tgt.endpoint_type} endpoint and can't be used as a target."
        )


# ---------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------

ENDPOINT_SETTINGS = (
    "DynamoDbSettings", "S3Settings", "DmsTransferSettings", "MongoDbSettings",
    "KinesisSettings", "KafkaSettings", "ElasticsearchSettings", "NeptuneSettings",
    "RedshiftSettings", "PostgreSQLSettings", "MySQLSettings", "OracleSettings",
    "SybaseSettings", "MicrosoftSQLServerSettings", "IBMDb2Settings", "DocDbSettings",
    "RedisSettings", "GcpMySQLSettings", "TimestreamSettings",
)
ENDPOINT_SCALARS = {
    "EngineName": "engine_name", "Username": "username", "Password": "password",
    "ServerName": "server_name", "Port": "port", "DatabaseName": "database_name",
    "ExtraConnectionAttributes": "extra_connection_attributes",
    "CertificateArn": "certificate_arn", "SslMode": "ssl_mode",
    "ServiceAccessRoleArn": "service_access_role_arn",
    "ExternalTableDefinition": "external_table_definition",
}


def _attr_for_settings(key: str) -> str:
    # e.g. "PostgreSQLSettings" -> moto attribute "postgre_sql_settings"
    from moto.core.utils import camelcase_to_underscores

    return camelcase_to_underscores(key)


_orig_create_endpoint = Backend.create_endpoint


def create_endpoint(self: Backend, **kw: Any) -> M.Endpoint:
    # moto silently replaces an endpoint with the same identifier.
    _check_identifier("EndpointIdentifier", kw.get("endpoint_identifier"), 255)
    if kw["endpoint_identifier"] in self.endpoints:
        raise ResourceAlreadyExistsFault(
            f"Endpoint {kw['endpoint_identifier']} already exists."
        )
    endpoint = _orig_create_endpoint(self, **kw)
    # moto leaves endpoints "creating" forever; DMS endpoints are usable (and
    # reported "active") as soon as CreateEndpoint returns.
    endpoint.status = "active"
    return endpoint


def modify_endpoint(self: Backend, params: dict) -> M.Endpoint:
    endpoint = _endpoint_by_arn(self, params.get("EndpointArn"))
    new_id = params.get("EndpointIdentifier")
    if new_id is not None and new_id != endpoint.endpoint_identifier:
        _check_identifier("EndpointIdentifier", new_id, 255)
        if new_id in self.endpoints:
            raise ResourceAlreadyExistsFault(f"Endpoint {new_id} already exists.")
    if params.get("EndpointType") is not None:
        if params["EndpointType"].lower() not in ("source", "target"):
            raise InvalidParameterValueException(f"Invalid EndpointType {params['EndpointType']!r}.")
        endpoint.endpoint_type = params["EndpointType"].lower()
    for key, attr in ENDPOINT_SCALARS.items():
        if key in params:
            setattr(endpoint, attr, params[key])
    if "EngineName" in params:
        endpoint.engine_display_name = params["EngineName"]
    # ExactSettings=false (default): merge the given settings into the existing
    # ones; true: replace them (API reference, ModifyEndpoint.ExactSettings).
    exact = bool(params.get("ExactSettings"))
    for key in ENDPOINT_SETTINGS:
        if key in params:
            attr = _attr_for_settings(key)
            old = getattr(endpoint, attr, None) or {}
            new = params[key] or {}
            setattr(endpoint, attr, dict(new) if exact else {**old, **new})
    if new_id is not None and new_id != endpoint.endpoint_identifier:
        self.endpoints.pop(endpoint.endpoint_identifier)
        endpoint.endpoint_identifier = new_id
        self.endpoints[new_id] = endpoint
    return endpoint


_orig_delete_endpoint = Backend.delete_endpoint


def delete_endpoint(self: Backend, endpoint_arn: str) -> M.Endpoint:
    # moto deletes endpoints that tasks still use; AWS: "All tasks associated
    # with the endpoint must be deleted before you can delete the endpoint."
    _init_extra(self)
    endpoint = _endpoint_by_arn(self, endpoint_arn)
    users = [t.id for t in self.replication_tasks.values()
             if endpoint_arn in (t.source_endpoint_arn, t.target_endpoint_arn)]
    users += [c.id for c in self.replication_configs.values()
              if endpoint_arn in (c.source_endpoint_arn, c.target_endpoint_arn)]
    if users:
        raise InvalidResourceStateFault(
            f"Endpoint {endpoint.endpoint_identifier} is in use by: {', '.join(sorted(users))}."
        )
    result = _orig_delete_endpoint(self, endpoint_arn)
    self.tagger.delete_all_tags_for_resource(endpoint_arn)
    return result


def _endpoint_dict(endpoint: M.Endpoint) -> dict:
    return _strip_none(endpoint.to_dict())


# ---------------------------------------------------------------------------
# Replication instances
# ---------------------------------------------------------------------------

_orig_create_instance = Backend.create_replication_instance


def create_replication_instance(self: Backend, **kw: Any) -> M.FakeReplicationInstance:
    ident = kw.get("replication_instance_identifier")
    _check_identifier("ReplicationInstanceIdentifier", ident, 63)
    # API reference: "This parameter is stored as a lowercase string."
    ident = kw["replication_instance_identifier"] = ident.lower()
    if any(i.id == ident for i in self.replication_instances.values()):
        raise ResourceAlreadyExistsFault(f"Replication instance {ident} already exists.")
    sg = kw.get("replication_subnet_group_identifier")
    if sg is not None:
        if sg.lower() not in self.replication_subnet_groups:
            raise ResourceNotFoundFault(f"Replication subnet group {sg} not found.")
        kw["replication_subnet_group_identifier"] = sg.lower()
    inst = _orig_create_instance(self, **kw)
    # moto's ARN is "...:rep:<identifier>"; AWS's ends in a generated id (or
    # ResourceIdentifier), so a rename or re-create can't collide.
    self.replication_instances.pop(inst.arn)
    tags = self.tagger.list_tags_for_resource(inst.arn)["Tags"]
    self.tagger.delete_all_tags_for_resource(inst.arn)
    inst.arn = (f"arn:{_partition(self)}:dms:{self.region_name}:{self.account_id}:rep:"
                f"{kw.get('resource_identifier') or random_id(True, 26)}")
    self.replication_instances[inst.arn] = inst
    if tags:
        self.tagger.tag_resource(inst.arn, tags)
    return inst


_orig_modify_instance = Backend.modify_replication_instance


def modify_replication_instance(self: Backend, **kw: Any) -> M.FakeReplicationInstance:
    # moto renames without the lowercase rule or a uniqueness check, and the
    # instance stays "available"; AWS reports "modifying" -> "available".
    inst = _instance_by_arn(self, kw.get("replication_instance_arn"))
    new_id = kw.get("replication_instance_identifier")
    if new_id:
        _check_identifier("ReplicationInstanceIdentifier", new_id, 63)
        new_id = kw["replication_instance_identifier"] = new_id.lower()
        if new_id != inst.id and any(i.id == new_id for i in self.replication_instances.values()):
            raise ResourceAlreadyExistsFault(f"Replication instance {new_id} already exists.")
    inst = _orig_modify_instance(self, **kw)
    inst._transitions = [("creating", "available"), ("modifying", "available")]
    inst.status = "modifying"
    inst._tick = 0
    return inst


_orig_delete_instance = Backend.delete_replication_instance


def delete_replication_instance(self: Backend, replication_instance_arn: str) -> M.FakeReplicationInstance:
    # AWS: "You must delete any migration tasks that are associated with the
    # replication instance before you can delete it."  moto doesn't check.
    inst = _instance_by_arn(self, replication_instance_arn)
    users = sorted(t.id for t in self.replication_tasks.values()
                   if t.replication_instance_arn == replication_instance_arn)
    if users:
        raise InvalidResourceStateFault(
            f"Replication instance {inst.id} is in use by tasks: {', '.join(users)}."
        )
    result = _orig_delete_instance(self, replication_instance_arn)
    self.tagger.delete_all_tags_for_resource(replication_instance_arn)
    return result


# ---------------------------------------------------------------------------
# Replication tasks
# ---------------------------------------------------------------------------


def _task_status_get(self: M.FakeReplicationTask) -> str:
    return self._lifecycle.status


def _task_status_set(self: M.FakeReplicationTask, value: str) -> None:
    if "_lifecycle" not in self.__dict__:
        self.__dict__["_lifecycle"] = Lifecycle(TASK_MODEL, TASK_TRANSITIONS, value)
    else:
        self._lifecycle.set(value)


def _task_advance(self: M.FakeReplicationTask) -> None:
    self._lifecycle.advance()


def _task_start(self: M.FakeReplicationTask, start_type: str = "start-replication") -> M.FakeReplicationTask:
    # moto jumps straight to "running"; AWS goes starting -> running and only
    # starts tasks that are ready, stopped or failed.
    if self.status not in ("ready", "stopped", "failed"):
        raise InvalidResourceStateFault(
            f"Replication task {self.id} can't be started in status {self.status}."
        )
    self.status = "starting"
    self.start_type = start_type
    self.start_date = utcnow()
    self.stop_date = None
    self.stop_reason = None
    self.has_run = True
    return self


def _task_stop(self: M.FakeReplicationTask) -> M.FakeReplicationTask:
    if self.status != "running":
        raise InvalidResourceStateFault(
            f"Replication task {self.id} is not running (status {self.status})."
        )
    self.status = "stopping"
    self.stop_date = utcnow()
    return self


_orig_task_to_dict = M.FakeReplicationTask.to_dict


def _task_to_dict(self: M.FakeReplicationTask) -> dict:
    d = _orig_task_to_dict(self)
    # moto reports a fixed, finished-looking ReplicationTaskStats (100%, one
    # table loaded) even for tasks that never ran.  No data moves here, so
    # report zero progress and keep only the dates.
    stats = d.get("ReplicationTaskStats") or {}
    for k in ("FullLoadProgressPercent", "ElapsedTimeMillis", "TablesLoaded",
              "TablesLoading", "TablesQueued", "TablesErrored"):
        stats[k] = 0
    if not getattr(self, "has_run", False):
        for k in ("FreshStartDate", "StartDate", "StopDate", "FullLoadStartDate", "FullLoadFinishDate"):
            stats.pop(k, None)
    stats.pop("FullLoadFinishDate", None)
    if getattr(self, "start_type", "start-replication") == "resume-processing":
        stats.pop("FreshStartDate", None)
    d["ReplicationTaskStats"] = stats
    for key, attr in (("StopReason", "stop_reason"), ("LastFailureMessage", "last_failure_message"),
                      ("CdcStartPosition", "cdc_start_position"), ("CdcStopPosition", "cdc_stop_position"),
                      ("TaskData", "task_data")):
        if getattr(self, attr, None) is not None:
            d[key] = getattr(self, attr)
    return _strip_none(d)


_orig_create_task = Backend.create_replication_task


def create_replication_task(self: Backend, **kw: Any) -> M.FakeReplicationTask:
    # moto accepts anything: malformed/unknown ARNs, bad MigrationType, bad JSON.
    ident = kw.get("replication_task_identifier")
    _check_identifier("ReplicationTaskIdentifier", ident, 255)
    _check_migration_type("MigrationType", kw.get("migration_type"))
    _check_table_mappings(kw.get("table_mappings"))
    _check_json_doc("ReplicationTaskSettings", kw.get("replication_task_settings"))
    _check_endpoint_pair(self, kw.get("source_endpoint_arn"), kw.get("target_endpoint_arn"))
    _instance_by_arn(self, kw.get("replication_instance_arn"))
    if any(t.id == ident for t in self.replication_tasks.values()):
        raise ResourceAlreadyExistsFault(f"Replication task {ident} already exists.")
    resource_identifier = kw.pop("resource_identifier", None)
    task = _orig_create_task(self, **kw)
    # AWS task ARNs end in a generated id, not the identifier (moto's choice
    # would make a renamed task's old name impossible to reuse).
    self.replication_tasks.pop(task.arn)
    tags = self.tagger.list_tags_for_resource(task.arn)["Tags"]
    self.tagger.delete_all_tags_for_resource(task.arn)
    task.arn = (f"arn:{_partition(self)}:dms:{self.region_name}:{self.account_id}:task:"
                f"{resource_identifier or random_id(True, 26)}")
    self.replication_tasks[task.arn] = task
    if tags:
        self.tagger.tag_resource(task.arn, tags)
    return task


def modify_replication_task(self: Backend, params: dict) -> M.FakeReplicationTask:
    task = _task_by_arn(self, params.get("ReplicationTaskArn"))
    # API reference: "The task must be stopped before you can modify it."
    if task.status not in ("ready", "stopped", "failed"):
        raise InvalidResourceStateFault(
            f"Replication task {task.id} can't be modified in status {task.status}."
        )
    new_id = params.get("ReplicationTaskIdentifier")
    if new_id is not None and new_id != task.id:
        _check_identifier("ReplicationTaskIdentifier", new_id, 255)
        if any(t.id == new_id for t in self.replication_tasks.values()):
            raise ResourceAlreadyExistsFault(f"Replication task {new_id} already exists.")
    if "MigrationType" in params:
        _check_migration_type("MigrationType", params["MigrationType"])
    if "TableMappings" in params:
        _check_table_mappings(params["TableMappings"])
    if "ReplicationTaskSettings" in params:
        _check_json_doc("ReplicationTaskSettings", params["ReplicationTaskSettings"])
    if params.get("CdcStartTime") is not None and params.get("CdcStartPosition") is not None:
        raise InvalidParameterCombinationException(
            "Specify either CdcStartTime or CdcStartPosition, not both."
        )
    if new_id is not None:
        task.id = new_id
    if "MigrationType" in params:
        task.migration_type = params["MigrationType"]
    if "TableMappings" in params:
        task.table_mappings = params["TableMappings"]
    if "ReplicationTaskSettings" in params:
        task.replication_task_settings = params["ReplicationTaskSettings"]
    for key, attr in (("CdcStartPosition", "cdc_start_position"),
                      ("CdcStopPosition", "cdc_stop_position"), ("TaskData", "task_data")):
        if key in params:
            setattr(task, attr, params[key])
    task.status = "modifying"  # -> "ready" through the lifecycle
    return task


def start_replication_task(self: Backend, replication_task_arn: str, start_type: str) -> M.FakeReplicationTask:
    if start_type not in START_TASK_TYPES:
        raise InvalidParameterValueException(
            f"Invalid StartReplicationTaskType {start_type!r}: must be one of {', '.join(START_TASK_TYPES)}."
        )
    return _task_by_arn(self, replication_task_arn).start(start_type)


def stop_replication_task(self: Backend, replication_task_arn: str) -> M.FakeReplicationTask:
    return _task_by_arn(self, replication_task_arn).stop()


_orig_delete_task = Backend.delete_replication_task


def delete_replication_task(self: Backend, replication_task_arn: str) -> M.FakeReplicationTask:
    task = _task_by_arn(self, replication_task_arn)
    if task.status in ("starting", "running", "stopping"):
        raise InvalidResourceStateFault(
            f"Replication task {task.id} can't be deleted in status {task.status}."
        )
    result = _orig_delete_task(self, replication_task_arn)
    self.tagger.delete_all_tags_for_resource(replication_task_arn)
    _init_extra(self)
    self.table_statistics.pop(replication_task_arn, None)
    return result


# ---------------------------------------------------------------------------
# Replication subnet groups
# ---------------------------------------------------------------------------

_orig_create_subnet_group = Backend.create_replication_subnet_group


def create_replication_subnet_group(self: Backend, replication_subnet_group_identifier: str,
                                    replication_subnet_group_description: str,
                                    subnet_ids: list[str], tags: list | None = None) -> Any:
    ident = replication_subnet_group_identifier
    if not ident or len(ident) > 255 or not re.match(r"^[A-Za-z0-9._-]+$", ident) or ident.lower() == "default":
        raise InvalidParameterValueException(
            f"Invalid ReplicationSubnetGroupIdentifier {ident!r}: up to 255 letters, digits, "
            "periods, underscores or hyphens, and not \"default\"."
        )
    if not subnet_ids:
        raise InvalidParameterValueException("The parameter SubnetIds must be provided.")
    # API reference: "This value is stored as a lowercase string."
    ident = ident.lower()
    # moto tags the group under its *name*; tags are looked up by ARN
    # (arn:aws:dms:<region>:<account>:subgrp:<name>).
    group = _orig_create_subnet_group(self, ident, replication_subnet_group_description, subnet_ids, None)
    group.subnetIds = list(subnet_ids)
    group._region = self.region_name
    if tags:
        self.tagger.tag_resource(_subnet_group_arn(self, ident), tags)
    return group


def _subnet_group_to_dict(self: Any) -> dict:
    # moto reports one hard-coded "subnet-12345"; report the subnets given.
    d = _orig_subnet_group_to_dict(self)
    region = getattr(self, "_region", "us-east-1")
    ids = self.subnetIds or []
    if ids:
        d["Subnets"] = [
            {"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": f"{region}{'abcdef'[i % 6]}"},
             "SubnetStatus": "Active"}
            for i, s in enumerate(ids)
        ]
    return d


_orig_subnet_group_to_dict = M.FakeReplicationSubnetGroup.to_dict


def modify_replication_subnet_group(self: Backend, params: dict) -> Any:
    ident = (params.get("ReplicationSubnetGroupIdentifier") or "").lower()
    group = self.replication_subnet_groups.get(ident)
    if group is None:
        raise ResourceNotFoundFault(f"Replication subnet group {ident} not found.")
    if params.get("ReplicationSubnetGroupDescription") is not None:
        group.description = params["ReplicationSubnetGroupDescription"]
    if params.get("SubnetIds") is not None:
        if not params["SubnetIds"]:
            raise InvalidParameterValueException("The parameter SubnetIds must not be empty.")
        group.subnetIds = list(params["SubnetIds"])
    return group


_orig_delete_subnet_group = Backend.delete_replication_subnet_group


def delete_replication_subnet_group(self: Backend, replication_subnet_group_identifier: str) -> Any:
    _init_extra(self)
    ident = (replication_subnet_group_identifier or "").lower()
    users = [i.id for i in self.replication_instances.values()
             if (i.replication_subnet_group_identifier or "").lower() == ident]
    users += [c.id for c in self.replication_configs.values()
              if (c.compute_config.get("ReplicationSubnetGroupId") or "").lower() == ident]
    if ident in self.replication_subnet_groups and users:
        raise InvalidResourceStateFault(
            f"Replication subnet group {ident} is in use by: {', '.join(sorted(users))}."
        )
    result = _orig_delete_subnet_group(self, ident)
    self.tagger.delete_all_tags_for_resource(_subnet_group_arn(self, ident))
    return result


# ---------------------------------------------------------------------------
# Serverless: replication configs and replications (absent from moto)
# ---------------------------------------------------------------------------


class FakeReplication:
    def __init__(self, config: "FakeReplicationConfig"):
        self.config = config
        self.lifecycle = Lifecycle(REPLICATION_MODEL, REPLICATION_TRANSITIONS, "created")
        self.create_time = config.create_time
        self.update_time = config.create_time
        self.start_type: str | None = None
        self.cdc_start_time: float | None = None
        self.cdc_start_position: str | None = None
        self.cdc_stop_position: str | None = None
        self.start_time: float | None = None
        self.fresh_start_time: float | None = None
        self.stop_time: float | None = None
        self.stop_reason: str | None = None
        self.failure_messages: list[str] = []
        # Set through PUT /_dmsctl/provisioned-capacity: the DCUs DMS "scaled"
        # this replication to, reported once it is provisioned.
        self.provisioned_units: int | None = None

    @property
    def status(self) -> str:
        return self.lifecycle.status

    def set_status(self, status: str) -> None:
        self.lifecycle.set(status)
        self.update_time = _now_epoch()

    def to_dict(self) -> dict:
        c = self.config
        status = self.status
        d: dict[str, Any] = {
            "ReplicationConfigIdentifier": c.id,
            "ReplicationConfigArn": c.arn,
            "SourceEndpointArn": c.source_endpoint_arn,
            "TargetEndpointArn": c.target_endpoint_arn,
            "ReplicationType": c.replication_type,
            "Status": status,
            "StartReplicationType": self.start_type,
            "CdcStartTime": self.cdc_start_time,
            "CdcStartPosition": self.cdc_start_position,
            "CdcStopPosition": self.cdc_stop_position,
            "StopReason": self.stop_reason,
            "FailureMessages": self.failure_messages or None,
            "ReplicationCreateTime": self.create_time,
            "ReplicationUpdateTime": self.update_time,
            "ReplicationLastStopTime": self.stop_time,
        }
        if self.start_time is not None:
            # No data moves in the emulator: progress stays at zero.
            d["ReplicationStats"] = {
                "FullLoadProgressPercent": 0,
                "ElapsedTimeMillis": 0,
                "TablesLoaded": 0,
                "TablesLoading": 0,
                "TablesQueued": 0,
                "TablesErrored": 0,
                "FreshStartDate": self.fresh_start_time,
                "StartDate": self.start_time,
                "StopDate": self.stop_time,
            }
            idx = REPLICATION_START_CHAIN.index
            provisioned = status in ("running", "stopping", "stopped") or (
                status in REPLICATION_START_CHAIN and idx(status) >= idx("replication_starting")
            )
            d["ProvisionData"] = {
                "ProvisionState": "provisioned" if provisioned else "provisioning",
                "ProvisionedCapacityUnits": (self.provisioned_units or c.compute_config.get("MinCapacityUnits")
                                             or 1) if provisioned else 0,
                "IsNewProvisioningAvailable": False,
            }
        return _strip_none(d)


class FakeReplicationConfig:
    def __init__(self, backend: Backend, params: dict):
        self.id = params["ReplicationConfigIdentifier"]
        rid = params.get("ResourceIdentifier") or random_id(True, 26)
        self.arn = (f"arn:{_partition(backend)}:dms:{backend.region_name}:{backend.account_id}:"
                    f"replication-config:{rid}")
        self.source_endpoint_arn = params["SourceEndpointArn"]
        self.target_endpoint_arn = params["TargetEndpointArn"]
        self.replication_type = params["ReplicationType"]
        self.compute_config = dict(params["ComputeConfig"])
        self.compute_config.setdefault("MinCapacityUnits", None)
        self.table_mappings = params["TableMappings"]
        self.replication_settings = params.get("ReplicationSettings")
        self.supplemental_settings = params.get("SupplementalSettings")
        self.create_time = _now_epoch()
        self.update_time = self.create_time
        self.replication = FakeReplication(self)

    def to_dict(self) -> dict:
        return _strip_none({
            "ReplicationConfigIdentifier": self.id,
            "ReplicationConfigArn": self.arn,
            "SourceEndpointArn": self.source_endpoint_arn,
            "TargetEndpointArn": self.target_endpoint_arn,
            "ReplicationType": self.replication_type,
            "ComputeConfig": dict(self.compute_config),
            "ReplicationSettings": self.replication_settings,
            "SupplementalSettings": self.supplemental_settings,
            "TableMappings": self.table_mappings,
            "ReplicationConfigCreateTime": self.create_time,
            "ReplicationConfigUpdateTime": self.update_time,
        })


def _check_compute_config(self: Backend, cc: Any, partial: bool = False) -> None:
    if not isinstance(cc, dict):
        raise InvalidParameterValueException("The parameter ComputeConfig must be provided.")
    mx = cc.get("MaxCapacityUnits")
    mn = cc.get("MinCapacityUnits")
    if mx is None and not partial:
        # "The MaxCapacityUnits parameter is the only DCU parameter you are
        # required to specify."
        raise InvalidParameterValueException("ComputeConfig.MaxCapacityUnits must be specified.")
    for name, v in (("MaxCapacityUnits", mx), ("MinCapacityUnits", mn)):
        if v is not None and v not in VALID_DCUS:
            raise InvalidParameterValueException(
                f"Invalid ComputeConfig.{name} {v!r}: valid DCU values are "
                f"{', '.join(map(str, VALID_DCUS))}."
            )
    if mx is not None and mn is not None and mn > mx:
        raise InvalidParameterCombinationException(
            "ComputeConfig.MinCapacityUnits must not be greater than MaxCapacityUnits."
        )
    sg = cc.get("ReplicationSubnetGroupId")
    if sg is not None and sg.lower() not in self.replication_subnet_groups:
        raise ResourceNotFoundFault(f"Replication subnet group {sg} not found.")


def create_replication_config(self: Backend, params: dict) -> FakeReplicationConfig:
    _init_extra(self)
    ident = params.get("ReplicationConfigIdentifier")
    _check_identifier("ReplicationConfigIdentifier", ident, 255)
    _check_migration_type("ReplicationType", params.get("ReplicationType"))
    _check_table_mappings(params.get("TableMappings"))
    _check_json_doc("ReplicationSettings", params.get("ReplicationSettings"))
    _check_json_doc("SupplementalSettings", params.get("SupplementalSettings"))
    _check_compute_config(self, params.get("ComputeConfig"))
    _check_endpoint_pair(self, params.get("SourceEndpointArn"), params.get("TargetEndpointArn"))
    if any(c.id == ident for c in self.replication_configs.values()):
        raise ResourceAlreadyExistsFault(f"Replication config {ident} already exists.")
    cfg = FakeReplicationConfig(self, params)
    self.replication_configs[cfg.arn] = cfg
    if params.get("Tags"):
        self.tagger.tag_resource(cfg.arn, params["Tags"])
    return cfg


def modify_replication_config(self: Backend, params: dict) -> FakeReplicationConfig:
    cfg = _config_by_arn(self, params.get("ReplicationConfigArn"))
    if cfg.replication.status not in REPLICATION_IDLE:
        raise InvalidResourceStateFault(
            f"Replication config {cfg.id} can't be modified while its replication is {cfg.replication.status}."
        )
    new_id = params.get("ReplicationConfigIdentifier")
    if new_id is not None and new_id != cfg.id:
        _check_identifier("ReplicationConfigIdentifier", new_id, 255)
        if any(c.id == new_id for c in self.replication_configs.values()):
            raise ResourceAlreadyExistsFault(f"Replication config {new_id} already exists.")
    if "ReplicationType" in params:
        _check_migration_type("ReplicationType", params["ReplicationType"])
    if "TableMappings" in params:
        _check_table_mappings(params["TableMappings"])
    for k in ("ReplicationSettings", "SupplementalSettings"):
        if k in params:
            _check_json_doc(k, params[k])
    if "ComputeConfig" in params:
        merged = {**cfg.compute_config, **{k: v for k, v in params["ComputeConfig"].items() if v is not None}}
        _check_compute_config(self, merged)
    if "SourceEndpointArn" in params or "TargetEndpointArn" in params:
        _check_endpoint_pair(self, params.get("SourceEndpointArn", cfg.source_endpoint_arn),
                             params.get("TargetEndpointArn", cfg.target_endpoint_arn))
    # validated: apply
    if new_id is not None:
        cfg.id = new_id
    if "ComputeConfig" in params:
        cfg.compute_config = merged
    for key, attr in (("ReplicationType", "replication_type"), ("TableMappings", "table_mappings"),
                      ("ReplicationSettings", "replication_settings"),
                      ("SupplementalSettings", "supplemental_settings"),
                      ("SourceEndpointArn", "source_endpoint_arn"),
                      ("TargetEndpointArn", "target_endpoint_arn")):
        if key in params:
            setattr(cfg, attr, params[key])
    cfg.update_time = _now_epoch()
    return cfg


def delete_replication_config(self: Backend, arn: str) -> FakeReplicationConfig:
    cfg = _config_by_arn(self, arn)
    # "You can delete the configuration when the replication is in a
    # non-RUNNING and non-STARTING state."
    if cfg.replication.status not in REPLICATION_IDLE:
        raise InvalidResourceStateFault(
            f"Replication config {cfg.id} can't be deleted while its replication is {cfg.replication.status}."
        )
    self.replication_configs.pop(arn)
    self.tagger.delete_all_tags_for_resource(arn)
    self.replication_table_statistics.pop(arn, None)
    return cfg


def start_replication(self: Backend, params: dict) -> FakeReplication:
    cfg = _config_by_arn(self, params.get("ReplicationConfigArn"))
    rep = cfg.replication
    stype = params.get("StartReplicationType")
    if stype not in START_TASK_TYPES:
        raise InvalidParameterValueException(
            f"Invalid StartReplicationType {stype!r}: must be one of {', '.join(START_TASK_TYPES)}."
        )
    if params.get("CdcStartTime") is not None and params.get("CdcStartPosition") is not None:
        raise InvalidParameterCombinationException(
            "Specify either CdcStartTime or CdcStartPosition, not both."
        )
    if rep.status not in REPLICATION_IDLE:
        raise InvalidResourceStateFault(
            f"Replication {cfg.id} can't be started in status {rep.status}."
        )
    # StartReplicationType doc: for full-load and full-load-and-cdc "the only
    # valid value for the first run of the replication is start-replication",
    # and resume-processing "isn't applicable for a full-load replication".
    if rep.start_time is None and cfg.replication_type != "cdc" and stype != "start-replication":
        raise InvalidParameterCombinationException(
            f"The first run of a {cfg.replication_type} replication must use start-replication."
        )
    if cfg.replication_type == "full-load" and stype == "resume-processing":
        raise InvalidParameterCombinationException(
            "resume-processing isn't applicable to a full-load replication."
        )
    rep.start_type = stype
    rep.cdc_start_time = params.get("CdcStartTime")
    rep.cdc_start_position = params.get("CdcStartPosition")
    rep.cdc_stop_position = params.get("CdcStopPosition")
    rep.start_time = _now_epoch()
    if stype != "resume-processing":
        rep.fresh_start_time = rep.start_time
    rep.stop_time = None
    rep.stop_reason = None
    rep.failure_messages = []
    rep.set_status("initializing")
    return rep


def stop_replication(self: Backend, params: dict) -> FakeReplication:
    cfg = _config_by_arn(self, params.get("ReplicationConfigArn"))
    rep = cfg.replication
    if rep.status not in REPLICATION_START_CHAIN:
        raise InvalidResourceStateFault(
            f"Replication {cfg.id} can't be stopped in status {rep.status}."
        )
    rep.stop_time = _now_epoch()
    rep.set_status("stopping")
    return rep


# ---------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------


def _tagged_resource(self: Backend, arn: Any) -> str:
    _check_arn("ResourceArn", arn)
    if arn not in _all_resource_arns(self):
        raise ResourceNotFoundFault(f"Resource {arn} not found.")
    return arn


def add_tags_to_resource(self: Backend, arn: str, tags: list[dict]) -> None:
    _tagged_resource(self, arn)
    for t in tags or []:
        if not t.get("Key"):
            raise InvalidParameterValueException("Every tag needs a non-empty Key.")
    self.tagger.tag_resource(arn, [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags or []])


def remove_tags_from_resource(self: Backend, arn: str, keys: list[str]) -> None:
    _tagged_resource(self, arn)
    self.tagger.untag_resource_using_names(arn, keys or [])


# ---------------------------------------------------------------------------
# Response handlers (the HTTP side); moto dispatches X-Amz-Target
# "AmazonDMSv20160101.FooBar" to the method foo_bar of the response class.
# ---------------------------------------------------------------------------


def _describe(op: str, key: str, items: list, params: dict, to_dict: Callable) -> str:
    page, marker = paginate(op, items, params)
    out: dict[str, Any] = {key: [to_dict(i) for i in page]}
    if marker:
        out["Marker"] = marker
    return json.dumps(out)


def r_modify_endpoint(self: Any) -> str:
    endpoint = self.dms_backend.modify_endpoint(_params(self))
    return json.dumps({"Endpoint": _endpoint_dict(endpoint)})


def r_describe_endpoints(self: Any) -> str:
    p = _params(self)
    filters = _check_filters(p.get("Filters"), ("endpoint-arn", "endpoint-type", "endpoint-id", "engine-name"))
    items = self.dms_backend.describe_endpoints(filters=filters, max_records=None, marker=None)
    _not_found_if_filtered_empty(filters, items, "Endpoints")
    return _describe("DescribeEndpoints", "Endpoints", items, p, _endpoint_dict)


def r_delete_endpoint(self: Any) -> str:
    endpoint = self.dms_backend.delete_endpoint(endpoint_arn=_params(self).get("EndpointArn"))
    return json.dumps({"Endpoint": _endpoint_dict(endpoint)})


def r_describe_replication_instances(self: Any) -> str:
    p = _params(self)
    filters = _check_filters(p.get("Filters"), ("replication-instance-arn", "replication-instance-id",
                                                "replication-instance-class", "engine-version"))
    items = self.dms_backend.describe_replication_instances(filters=filters)
    _not_found_if_filtered_empty(filters, items, "replication instances")
    return _describe("DescribeReplicationInstances", "ReplicationInstances", items, p,
                     lambda i: _strip_none(i.to_dict()))


def r_create_replication_task(self: Any) -> str:
    p = _params(self)
    task = self.dms_backend.create_replication_task(
        replication_task_identifier=p.get("ReplicationTaskIdentifier"),
        source_endpoint_arn=p.get("SourceEndpointArn"),
        target_endpoint_arn=p.get("TargetEndpointArn"),
        replication_instance_arn=p.get("ReplicationInstanceArn"),
        migration_type=p.get("MigrationType"),
        table_mappings=p.get("TableMappings"),
        replication_task_settings=p.get("ReplicationTaskSettings"),
        tags=p.get("Tags"),
        resource_identifier=p.get("ResourceIdentifier"),
    )
    for key, attr in (("CdcStartPosition", "cdc_start_position"),
                      ("CdcStopPosition", "cdc_stop_position"), ("TaskData", "task_data")):
        if p.get(key) is not None:
            setattr(task, attr, p[key])
    return json.dumps({"ReplicationTask": task.to_dict()})


def r_modify_replication_task(self: Any) -> str:
    task = self.dms_backend.modify_replication_task(_params(self))
    return json.dumps({"ReplicationTask": task.to_dict()})


def r_start_replication_task(self: Any) -> str:
    p = _params(self)
    task = self.dms_backend.start_replication_task(
        p.get("ReplicationTaskArn"), p.get("StartReplicationTaskType") or "start-replication")
    return json.dumps({"ReplicationTask": task.to_dict()})


def r_describe_replication_tasks(self: Any) -> str:
    p = _params(self)
    filters = _check_filters(p.get("Filters"), ("replication-task-arn", "replication-task-id",
                                                "migration-type", "endpoint-arn",
                                                "replication-instance-arn"))
    items = self.dms_backend.describe_replication_tasks(filters=filters, max_records=0)
    for t in items:
        t.advance()
    _not_found_if_filtered_empty(filters, items, "Tasks")
    without_settings = bool(p.get("WithoutSettings"))

    def to_dict(t: Any) -> dict:
        d = t.to_dict()
        if without_settings:  # "WithoutSettings ... omits the settings" (API reference)
            d.pop("ReplicationTaskSettings", None)
            d.pop("TableMappings", None)
        return d

    return _describe("DescribeReplicationTasks", "ReplicationTasks", items, p, to_dict)


def r_create_replication_subnet_group(self: Any) -> str:
    p = _params(self)
    group = self.dms_backend.create_replication_subnet_group(
        replication_subnet_group_identifier=p.get("ReplicationSubnetGroupIdentifier"),
        replication_subnet_group_description=p.get("ReplicationSubnetGroupDescription"),
        subnet_ids=p.get("SubnetIds"),
        tags=p.get("Tags"),
    )
    return json.dumps({"ReplicationSubnetGroup": _strip_none(group.to_dict())})


def r_modify_replication_subnet_group(self: Any) -> str:
    group = self.dms_backend.modify_replication_subnet_group(_params(self))
    return json.dumps({"ReplicationSubnetGroup": _strip_none(group.to_dict())})


def r_describe_replication_subnet_groups(self: Any) -> str:
    p = _params(self)
    filters = _check_filters(p.get("Filters"), ("replication-subnet-group-id",))
    # identifiers are stored lowercase, so match filter values case-insensitively
    filters = [{"Name": f["Name"], "Values": [v.lower() for v in f["Values"]]} for f in filters]
    items = self.dms_backend.describe_replication_subnet_groups(filters=filters, max_records=None, marker=None)
    _not_found_if_filtered_empty(filters, items, "Replication Subnet Groups")
    return _describe("DescribeReplicationSubnetGroups", "ReplicationSubnetGroups", items, p,
                     lambda g: _strip_none(g.to_dict()))


def r_describe_connections(self: Any) -> str:
    p = _params(self)
    filters = _check_filters(p.get("Filters"), ("endpoint-arn", "replication-instance-arn"))
    items = self.dms_backend.describe_connections(filters=filters, max_records=None, marker=None)
    return _describe("DescribeConnections", "Connections", items, p, lambda c: c.to_dict())


def _config_filter(items: list, filters: list, get_cfg: Callable) -> list:
    for f in filters:
        vals = f["Values"]
        if f["Name"] == "replication-config-arn":
            items = [i for i in items if get_cfg(i).arn in vals]
        else:
            items = [i for i in items if get_cfg(i).id in vals]
    return items


def r_create_replication_config(self: Any) -> str:
    cfg = self.dms_backend.create_replication_config(_params(self))
    return json.dumps({"ReplicationConfig": cfg.to_dict()})


def r_modify_replication_config(self: Any) -> str:
    cfg = self.dms_backend.modify_replication_config(_params(self))
    return json.dumps({"ReplicationConfig": cfg.to_dict()})


def r_delete_replication_config(self: Any) -> str:
    cfg = self.dms_backend.delete_replication_config(_params(self).get("ReplicationConfigArn"))
    return json.dumps({"ReplicationConfig": cfg.to_dict()})


def r_describe_replication_configs(self: Any) -> str:
    p = _params(self)
    _init_extra(self.dms_backend)
    filters = _check_filters(p.get("Filters"), ("replication-config-arn", "replication-config-id"))
    items = _config_filter(list(self.dms_backend.replication_configs.values()), filters, lambda c: c)
    _not_found_if_filtered_empty(filters, items, "replication configs")
    return _describe("DescribeReplicationConfigs", "ReplicationConfigs", items, p, lambda c: c.to_dict())


def r_describe_replications(self: Any) -> str:
    p = _params(self)
    _init_extra(self.dms_backend)
    filters = _check_filters(p.get("Filters"), ("replication-config-arn", "replication-config-id"))
    items = [c.replication for c in self.dms_backend.replication_configs.values()]
    items = _config_filter(items, filters, lambda r: r.config)
    for r in items:
        _advance_replication(r)
    _not_found_if_filtered_empty(filters, items, "replications")
    return _describe("DescribeReplications", "Replications", items, p, lambda r: r.to_dict())


def _advance_replication(r: "FakeReplication") -> None:
    # Replaced by _apply_serverless_assessments: a replication whose premigration
    # assessment runs does not move on until it is over.
    r.lifecycle.advance()


def r_start_replication(self: Any) -> str:
    rep = self.dms_backend.start_replication(_params(self))
    return json.dumps({"Replication": rep.to_dict()})


def r_stop_replication(self: Any) -> str:
    rep = self.dms_backend.stop_replication(_params(self))
    return json.dumps({"Replication": rep.to_dict()})


# Filter names of DescribeTableStatistics (API reference: "Valid filter
# names: schema-name | table-name | table-state ... A combination of filters
# creates an AND condition").
TABLE_STATS_FILTERS = {"schema-name": "SchemaName", "table-name": "TableName", "table-state": "TableState"}


def _table_statistics_page(op: str, rows: list[dict], p: dict, filters: list,
                           lo: int, hi: int) -> tuple[list[dict], str | None]:
    for f in filters:  # AND across filters, OR across one filter's values
        rows = [r for r in rows if r.get(TABLE_STATS_FILTERS[f["Name"]]) in f["Values"]]
    return paginate(op, rows, p, lo, hi)


def r_describe_table_statistics(self: Any) -> str:
    p = _params(self)
    backend = self.dms_backend
    _init_extra(backend)
    arn = p.get("ReplicationTaskArn")
    _task_by_arn(backend, arn)
    filters = _check_filters(p.get("Filters"), tuple(TABLE_STATS_FILTERS))
    # DescribeTableStatistics allows MaxRecords 20..500 (API reference).
    page, marker = _table_statistics_page("DescribeTableStatistics",
                                          list(backend.table_statistics.get(arn, [])), p, filters, 20, 500)
    out: dict[str, Any] = {"ReplicationTaskArn": arn, "TableStatistics": page}
    if marker:
        out["Marker"] = marker
    return json.dumps(out)


def r_describe_replication_table_statistics(self: Any) -> str:
    # moto 5.2.5 lacks DescribeReplicationTableStatistics (the serverless
    # counterpart of DescribeTableStatistics: same TableStatistics rows, keyed
    # by ReplicationConfigArn, answered as ReplicationTableStatistics).
    p = _params(self)
    backend = self.dms_backend
    _init_extra(backend)
    arn = p.get("ReplicationConfigArn")
    _config_by_arn(backend, arn)
    # The API reference (botocore 1.44.8's model) documents no filter names
    # for this operation ("Filters applied to the replication table
    # statistics.") and no MaxRecords range.  The rows have the same
    # TableStatistics shape, so the emulator accepts DescribeTableStatistics's
    # filter names and its MaxRecords 20..500; both are assumptions.
    filters = _check_filters(p.get("Filters"), tuple(TABLE_STATS_FILTERS))
    page, marker = _table_statistics_page("DescribeReplicationTableStatistics",
                                          list(backend.replication_table_statistics.get(arn, [])),
                                          p, filters, 20, 500)
    out: dict[str, Any] = {"ReplicationConfigArn": arn, "ReplicationTableStatistics": page}
    if marker:
        out["Marker"] = marker
    return json.dumps(out)


def r_add_tags_to_resource(self: Any) -> str:
    p = _params(self)
    self.dms_backend.add_tags_to_resource(p.get("ResourceArn"), p.get("Tags"))
    return json.dumps({})


def r_remove_tags_from_resource(self: Any) -> str:
    p = _params(self)
    self.dms_backend.remove_tags_from_resource(p.get("ResourceArn"), p.get("TagKeys"))
    return json.dumps({})


def r_list_tags_for_resource(self: Any) -> str:
    # moto raises a bare ValueError (HTTP 500) for bad parameter combinations,
    # and returns [] for ARNs that don't exist.
    p = _params(self)
    backend = self.dms_backend
    arn, arn_list = p.get("ResourceArn"), p.get("ResourceArnList")
    if arn and arn_list:
        raise InvalidParameterCombinationException("Specify either ResourceArn or ResourceArnList, not both.")
    if not arn and not arn_list:
        raise InvalidParameterCombinationException("Specify ResourceArn or ResourceArnList.")
    if arn:
        arns = [_tagged_resource(backend, arn)]
    else:
        for a in arn_list:
            _check_arn("ResourceArnList", a)
        known = _all_resource_arns(backend)
        arns = [a for a in arn_list if a in known]
    return json.dumps({"TagList": backend.list_tags_for_resource(arns)})


# ---------------------------------------------------------------------------


def apply() -> None:
    if getattr(Backend, "_dmsctl_patched", False):
        return
    Backend._dmsctl_patched = True

    state_manager.register_default_transition(TASK_MODEL, {"progression": "manual", "times": 1})
    state_manager.register_default_transition(REPLICATION_MODEL, {"progression": "manual", "times": 1})

    T = M.FakeReplicationTask
    T.status = property(_task_status_get, _task_status_set)
    T.advance = _task_advance
    T.start = _task_start
    T.stop = _task_stop
    T.to_dict = _task_to_dict
    M.FakeReplicationSubnetGroup.to_dict = _subnet_group_to_dict

    for name, fn in {
        "create_endpoint": create_endpoint,
        "modify_endpoint": modify_endpoint,
        "delete_endpoint": delete_endpoint,
        "create_replication_instance": create_replication_instance,
        "modify_replication_instance": modify_replication_instance,
        "delete_replication_instance": delete_replication_instance,
        "create_replication_task": create_replication_task,
        "modify_replication_task": modify_replication_task,
        "start_replication_task": start_replication_task,
        "stop_replication_task": stop_replication_task,
        "delete_replication_task": delete_replication_task,
        "create_replication_subnet_group": create_replication_subnet_group,
        "modify_replication_subnet_group": modify_replication_subnet_group,
        "delete_replication_subnet_group": delete_replication_subnet_group,
        "create_replication_config": create_replication_config,
        "modify_replication_config": modify_replication_config,
        "delete_replication_config": delete_replication_config,
        "start_replication": start_replication,
        "stop_replication": stop_replication,
        "add_tags_to_resource": add_tags_to_resource,
        "remove_tags_from_resource": remove_tags_from_resource,
    }.items():
        setattr(Backend, name, fn)

    Resp = R.DatabaseMigrationServiceResponse
    for name, fn in {
        "modify_endpoint": r_modify_endpoint,
        "describe_endpoints": r_describe_endpoints,
        "delete_endpoint": r_delete_endpoint,
        "describe_replication_instances": r_describe_replication_instances,
        "create_replication_task": r_create_replication_task,
        "modify_replication_task": r_modify_replication_task,
        "start_replication_task": r_start_replication_task,
        "describe_replication_tasks": r_describe_replication_tasks,
        "create_replication_subnet_group": r_create_replication_subnet_group,
        "modify_replication_subnet_group": r_modify_replication_subnet_group,
        "describe_replication_subnet_groups": r_describe_replication_subnet_groups,
        "describe_connections": r_describe_connections,
        "create_replication_config": r_create_replication_config,
        "modify_replication_config": r_modify_replication_config,
        "delete_replication_config": r_delete_replication_config,
        "describe_replication_configs": r_describe_replication_configs,
        "describe_replications": r_describe_replications,
        "start_replication": r_start_replication,
        "stop_replication": r_stop_replication,
        "describe_table_statistics": r_describe_table_statistics,
        "describe_replication_table_statistics": r_describe_replication_table_statistics,
        "add_tags_to_resource": r_add_tags_to_resource,
        "remove_tags_from_resource": r_remove_tags_from_resource,
        "list_tags_for_resource": r_list_tags_for_resource,
    }.items():
        setattr(Resp, name, fn)
    _apply_more()


TABLE_STATISTICS_KINDS = ("task", "replication-config")


def set_table_statistics(account_id: str, region: str, arn: str, rows: list[dict],
                         kind: str = "task") -> None:
    """Control-API hook: seed the table statistics of a task (kind "task":
    what DescribeTableStatistics returns) or of a serverless replication
    config (kind "replication-config": what DescribeReplicationTableStatistics
    returns).  The emulator moves no data, so there are no real statistics.
    An unknown ARN raises ResourceNotFoundFault."""
    backend = M.dms_backends[account_id][region]
    _init_extra(backend)
    if kind == "task":
        _task_by_arn(backend, arn)
        backend.table_statistics[arn] = list(rows)
    elif kind == "replication-config":
        _config_by_arn(backend, arn)
        backend.replication_table_statistics[arn] = list(rows)
    else:
        raise ValueError(f"unknown table-statistics kind {kind!r}: one of {', '.join(TABLE_STATISTICS_KINDS)}")


def _all_replication_configs() -> list["FakeReplicationConfig"]:
    # Only the backends that exist (iterating the BackendDicts creates none).
    return [cfg for account in M.dms_backends.values() for backend in account.values()
            for cfg in getattr(backend, "replication_configs", {}).values()]


def set_provisioned_capacity(units: Any) -> None:
    """Control-API hook (PUT /_dmsctl/provisioned-capacity): `units` maps
    replication-config ARNs to the DCUs their replication reports as
    ``ProvisionData.ProvisionedCapacityUnits`` once provisioned (a test's way to
    say "DMS scaled this one to 8 DCU").  Replaces every earlier override.  The
    value must be a DCU value ("1, 2, 4, 8, 16, 32, 64, 128, 192, 256, and 384")
    within the config's MinCapacityUnits..MaxCapacityUnits, the range DMS
    scales in.  ValueError / ResourceNotFoundFault otherwise; nothing changes then."""
    if not isinstance(units, dict):
        raise ValueError("body must be {\"<ReplicationConfigArn>\": <DCUs>, ...}")
    configs = []
    for arn, n in units.items():
        parts = arn.split(":")
        if len(parts) < 7:
            raise ValueError(f"not an ARN: {arn!r}")
        backend = M.dms_backends[parts[4]][parts[3]]
        _init_extra(backend)
        cfg = _config_by_arn(backend, arn)
        if not isinstance(n, int) or isinstance(n, bool) or n not in VALID_DCUS:
            raise ValueError(f"{arn}: {n!r} is not a DCU value (one of {', '.join(map(str, VALID_DCUS))})")
        lo = cfg.compute_config.get("MinCapacityUnits") or 1
        hi = cfg.compute_config["MaxCapacityUnits"]
        if not lo <= n <= hi:
            raise ValueError(f"{arn}: {n} DCU is outside the config's capacity range {lo}..{hi}")
        configs.append((cfg, n))
    for cfg in _all_replication_configs():
        cfg.replication.provisioned_units = None
    for cfg, n in configs:
        cfg.replication.provisioned_units = n


def get_provisioned_capacity() -> dict[str, int]:
    return {cfg.arn: cfg.replication.provisioned_units for cfg in _all_replication_configs()
            if cfg.replication.provisioned_units is not None}


# ===========================================================================
# Operations added later: ReloadTables / ReloadReplicationTables, connection
# tests, CDC positions and recovery checkpoints, certificates, premigration
# assessment runs.  Their state lives in the DMS backends (attributes created
# by _init_more), so moto's reset (POST /_dmsctl/reset) clears all of it.
# ===========================================================================


class InvalidCertificateFault(DmsClientError):
    def __init__(self, message: str):
        super().__init__("InvalidCertificateFault", message)


RELOAD_OPTIONS = ("data-reload", "validate-only")  # ReloadOptionValue; "Default value is data-reload."
# TableStatistics.TableState: "Valid states: Table does not exist | Before load
# | Full load | Table completed | Table cancelled | Table error | Table is being reloaded"
TABLE_BEING_RELOADED = "Table is being reloaded"


def _init_more(self: Backend) -> None:
    _init_extra(self)
    if not hasattr(self, "reloads"):
        self.reloads: list[dict] = []            # accepted ReloadTables / ReloadReplicationTables
        self.starts: list[dict] = []             # accepted StartReplicationTask / StartReplication
        self.connection_results: dict[str, dict] = {}  # EndpointArn -> {"status", "message"}
        self.certificates: dict[str, FakeCertificate] = {}  # ARN -> certificate, import order
        self.assessment_runs: dict[str, FakeAssessmentRun] = {}  # ARN -> run, start order
        self.assessment_results: dict[str, list[dict]] = {}  # task ARN -> seeded individual results


def _existing_backends() -> list[Backend]:
    # Only the backends that exist (iterating the BackendDicts creates none).
    return [b for account in M.dms_backends.values() for b in account.values()]


def _backend_for_arn(arn: Any) -> Backend:
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "dms":
        raise ValueError(f"not a DMS ARN: {arn!r}")
    backend = M.dms_backends[parts[4]][parts[3]]
    _init_more(backend)
    return backend


def _check_enum(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidParameterValueException(
            f"Invalid {name} {value!r}: must be one of {', '.join(allowed)}.")


def _check_cdc_start(params: dict) -> None:
    # CdcStartTime / CdcStartPosition: "Use either CdcStartTime or
    # CdcStartPosition ... Specifying both values results in an error."
    if params.get("CdcStartTime") is not None and params.get("CdcStartPosition") is not None:
        raise InvalidParameterCombinationException(
            "Specify either CdcStartTime or CdcStartPosition, not both.")
    for key in ("CdcStartPosition", "CdcStopPosition"):
        if params.get(key) is not None and not isinstance(params[key], str):
            raise InvalidParameterValueException(f"Invalid {key}: must be a string.")
    t = params.get("CdcStartTime")
    if t is not None and (isinstance(t, bool) or not isinstance(t, (int, float, str))):
        raise InvalidParameterValueException("Invalid CdcStartTime: must be a timestamp.")


# ---- ReloadTables / ReloadReplicationTables ---------------------------------


def _check_tables_to_reload(params: dict) -> tuple[list[dict], str]:
    tables = params.get("TablesToReload")
    if not isinstance(tables, list) or not tables:
        raise InvalidParameterValueException("The parameter TablesToReload must be provided.")
    out = []
    for i, t in enumerate(tables):
        if not isinstance(t, dict):
            raise InvalidParameterValueException(f"TablesToReload[{i}] must be a TableToReload object.")
        for key in ("SchemaName", "TableName"):  # both required members of TableToReload
            if not isinstance(t.get(key), str) or not t[key]:
                raise InvalidParameterValueException(f"TablesToReload[{i}].{key} must be provided.")
        out.append({"SchemaName": t["SchemaName"], "TableName": t["TableName"]})
    option = params.get("ReloadOption")
    option = "data-reload" if option is None else option
    _check_enum("ReloadOption", option, RELOAD_OPTIONS)
    return out, option


def _mark_reloading(rows: list[dict], tables: list[dict]) -> None:
    wanted = {(t["SchemaName"], t["TableName"]) for t in tables}
    for row in rows:
        if (row.get("SchemaName"), row.get("TableName")) in wanted:
            row["TableState"] = TABLE_BEING_RELOADED


def reload_tables(self: Backend, params: dict) -> str:
    # moto 5.2.5 lacks it.  "You can only use this operation with a task in the
    # RUNNING state, otherwise the service will throw an InvalidResourceStateFault."
    _init_more(self)
    tables, option = _check_tables_to_reload(params)
    arn = params.get("ReplicationTaskArn")
    task = _task_by_arn(self, arn)
    if task.status != "running":
        raise InvalidResourceStateFault(
            f"Replication task {task.id} is not running (status {task.status}); tables can be "
            "reloaded only while the task runs.")
    self.reloads.append({"arn": arn, "tables": tables, "option": option})
    if option == "data-reload":
        _mark_reloading(self.table_statistics.get(arn, []), tables)
    return arn


def reload_replication_tables(self: Backend, params: dict) -> str:
    _init_more(self)
    tables, option = _check_tables_to_reload(params)
    arn = params.get("ReplicationConfigArn")
    cfg = _config_by_arn(self, arn)
    if cfg.replication.status != "running":
        raise InvalidResourceStateFault(
            f"Replication {cfg.id} is not running (status {cfg.replication.status}); tables can be "
            "reloaded only while the replication runs.")
    self.reloads.append({"arn": arn, "tables": tables, "option": option})
    if option == "data-reload":
        _mark_reloading(self.replication_table_statistics.get(arn, []), tables)
    return arn


def r_reload_tables(self: Any) -> str:
    return json.dumps({"ReplicationTaskArn": self.dms_backend.reload_tables(_params(self))})


def r_reload_replication_tables(self: Any) -> str:
    return json.dumps({"ReplicationConfigArn": self.dms_backend.reload_replication_tables(_params(self))})


def get_reloads() -> dict:
    return {"reloads": [dict(r) for b in _existing_backends() for r in getattr(b, "reloads", [])]}


# ---- TestConnection / DescribeConnections -----------------------------------
# moto 5.2.5: TestConnection answers "testing" and the first DescribeConnections
# already "successful" (no default transition for "dms::connection"); a second
# TestConnection of the same pair crashes (HTTP 500, UnboundLocalError); it
# accepts instances that are still "creating"; DescribeConnections's filters
# don't combine (each one re-filters the whole list) and it never pages.

CONNECTION_MODEL = "dms::connection"
CONNECTION_STATUSES = ("successful", "failed")  # the final ones of Connection.Status
DEFAULT_CONNECTION_FAILURE = "Test connection failed (dmsctl emulator: seeded result)"


class FakeConnection:
    def __init__(self, inst: M.FakeReplicationInstance, endpoint: M.Endpoint):
        self.replication_instance_arn = inst.arn
        self.endpoint_arn = endpoint.endpoint_arn
        self.replication_instance_identifier = inst.id
        self.endpoint_identifier = endpoint.endpoint_identifier
        self.lifecycle = Lifecycle(CONNECTION_MODEL, [("testing", "tested")], "testing")
        self.result: dict = {"status": "successful"}

    def test(self, result: dict | None) -> None:
        self.result = dict(result or {"status": "successful"})
        self.lifecycle.set("testing")

    def advance(self) -> None:
        self.lifecycle.advance()

    @property
    def status(self) -> str:
        s = self.lifecycle.status
        return self.result["status"] if s == "tested" else s

    def to_dict(self) -> dict:
        status = self.status
        return _strip_none({
            "ReplicationInstanceArn": self.replication_instance_arn,
            "EndpointArn": self.endpoint_arn,
            "Status": status,
            "LastFailureMessage": (self.result.get("message") or DEFAULT_CONNECTION_FAILURE)
            if status == "failed" else None,
            "EndpointIdentifier": self.endpoint_identifier,
            "ReplicationInstanceIdentifier": self.replication_instance_identifier,
        })


def test_connection(self: Backend, replication_instance_arn: str, endpoint_arn: str) -> FakeConnection:
    _init_more(self)
    inst = _instance_by_arn(self, replication_instance_arn)
    endpoint = _endpoint_by_arn(self, endpoint_arn)
    if inst.status != "available":
        raise InvalidResourceStateFault(
            f"Replication instance {inst.id} is not available (status {inst.status}).")
    conn = next((c for c in self.connections if c.replication_instance_arn == inst.arn
                 and c.endpoint_arn == endpoint.endpoint_arn), None)
    if conn is None:
        conn = FakeConnection(inst, endpoint)
        self.connections.append(conn)
    # A new test of a tested pair re-tests it, with the result seeded *now*.
    conn.test(self.connection_results.get(endpoint.endpoint_arn))
    return conn


CONNECTION_FILTERS = {"endpoint-arn": "endpoint_arn", "replication-instance-arn": "replication_instance_arn"}


def describe_connections(self: Backend, filters: list, max_records: Any = None, marker: Any = None) -> list:
    conns = list(self.connections)
    for f in filters:  # AND across filters
        conns = [c for c in conns if getattr(c, CONNECTION_FILTERS[f["Name"]]) in f["Values"]]
    for c in conns:
        c.advance()
    return conns


def r_test_connection(self: Any) -> str:
    p = _params(self)
    conn = self.dms_backend.test_connection(p.get("ReplicationInstanceArn"), p.get("EndpointArn"))
    return json.dumps({"Connection": conn.to_dict()})


def set_connection_results(results: Any) -> None:
    """PUT /_dmsctl/connection-results: {"<EndpointArn>": {"status": "failed",
    "message": "..."}}; replaces every seeded result.  The result applies to
    connection tests started after the PUT."""
    if not isinstance(results, dict):
        raise ValueError('body must be {"<EndpointArn>": {"status": "failed", "message": "..."}, ...}')
    checked = []
    for arn, res in results.items():
        backend = _backend_for_arn(arn)
        _endpoint_by_arn(backend, arn)
        if not isinstance(res, dict) or set(res) - {"status", "message"}:
            raise ValueError(f'{arn}: the result must be {{"status": ..., "message": ...}}')
        if res.get("status") not in CONNECTION_STATUSES:
            raise ValueError(f"{arn}: status must be one of {', '.join(CONNECTION_STATUSES)}")
        if res.get("message") is not None and not isinstance(res["message"], str):
            raise ValueError(f"{arn}: message must be a string")
        checked.append((backend, arn, dict(res)))
    for b in _existing_backends():
        _init_more(b)
        b.connection_results.clear()
    for backend, arn, res in checked:
        backend.connection_results[arn] = res


def get_connection_results() -> dict:
    return {arn: dict(r) for b in _existing_backends() for arn, r in getattr(b, "connection_results", {}).items()}


# ---- CDC positions, the start log, recovery checkpoints ---------------------


def _generated_checkpoint(runs: int) -> str:
    # Shaped like DMS's (API reference: "checkpoint:V1#27#mysql-bin-changelog.157832:1975:-1:2002:..."),
    # deterministic: it depends only on how often the resource was started.
    pos = 1234 * runs
    return f"checkpoint:V1#{runs}#mysql-bin-changelog.{runs:06d}:{pos}:-1:{pos}:0#0#0#*#0#{runs}"


def _recovery_checkpoint(obj: Any, status: str | None) -> str | None:
    if status != "stopped" or not getattr(obj, "runs", 0):
        return None
    return getattr(obj, "recovery_checkpoint", None) or _generated_checkpoint(obj.runs)


def _log_start(backend: Backend, arn: str, stype: str, p: dict) -> None:
    _init_more(backend)
    backend.starts.append({"arn": arn, "type": stype,
                           "cdc_start_position": p.get("CdcStartPosition"),
                           "cdc_start_time": p.get("CdcStartTime"),
                           "cdc_stop_position": p.get("CdcStopPosition")})


def get_starts() -> dict:
    return {"starts": [dict(s) for b in _existing_backends() for s in getattr(b, "starts", [])]}


def r_create_replication_task_cdc(self: Any) -> str:
    _check_cdc_start(_params(self))
    return r_create_replication_task(self)


def r_modify_replication_task_cdc(self: Any) -> str:
    _check_cdc_start(_params(self))
    return r_modify_replication_task(self)


def r_start_replication_task_cdc(self: Any) -> str:
    p = _params(self)
    _check_cdc_start(p)
    stype = p.get("StartReplicationTaskType") or "start-replication"
    task = self.dms_backend.start_replication_task(p.get("ReplicationTaskArn"), stype)
    # The positions given to the start are the task's from now on.
    for key, attr in (("CdcStartPosition", "cdc_start_position"), ("CdcStopPosition", "cdc_stop_position")):
        if p.get(key) is not None:
            setattr(task, attr, p[key])
    task.runs = getattr(task, "runs", 0) + 1
    _log_start(self.dms_backend, task.arn, stype, p)
    return json.dumps({"ReplicationTask": task.to_dict()})


def r_start_replication_cdc(self: Any) -> str:
    p = _params(self)
    _check_cdc_start(p)
    rep = self.dms_backend.start_replication(p)
    rep.runs = getattr(rep, "runs", 0) + 1
    _log_start(self.dms_backend, rep.config.arn, p.get("StartReplicationType"), p)
    return json.dumps({"Replication": rep.to_dict()})


_orig_task_to_dict_cdc = _task_to_dict


def _task_to_dict_checkpoint(self: M.FakeReplicationTask) -> dict:
    d = _orig_task_to_dict_cdc(self)
    cp = _recovery_checkpoint(self, d.get("Status"))
    if cp:
        d["RecoveryCheckpoint"] = cp
    return d


_orig_replication_to_dict = FakeReplication.to_dict


def _replication_to_dict_checkpoint(self: FakeReplication) -> dict:
    d = _orig_replication_to_dict(self)
    cp = _recovery_checkpoint(self, d.get("Status"))
    if cp:
        d["RecoveryCheckpoint"] = cp
    return d


def set_recovery_checkpoints(checkpoints: Any) -> None:
    """PUT /_dmsctl/recovery-checkpoints: {"<TaskArn or ReplicationConfigArn>":
    "checkpoint:..."}; replaces every seeded checkpoint."""
    if not isinstance(checkpoints, dict):
        raise ValueError('body must be {"<ReplicationTaskArn or ReplicationConfigArn>": "checkpoint:...", ...}')
    checked = []
    for arn, cp in checkpoints.items():
        backend = _backend_for_arn(arn)
        if ":task:" in arn:
            obj = _task_by_arn(backend, arn)
        elif ":replication-config:" in arn:
            obj = _config_by_arn(backend, arn).replication
        else:
            raise ValueError(f"{arn}: not a replication task or replication config ARN")
        if not isinstance(cp, str) or not cp:
            raise ValueError(f"{arn}: the checkpoint must be a non-empty string")
        checked.append((obj, cp))
    for b in _existing_backends():
        for t in b.replication_tasks.values():
            t.recovery_checkpoint = None
        for c in getattr(b, "replication_configs", {}).values():
            c.replication.recovery_checkpoint = None
    for obj, cp in checked:
        obj.recovery_checkpoint = cp


def get_recovery_checkpoints() -> dict:
    out = {}
    for b in _existing_backends():
        for arn, t in b.replication_tasks.items():
            if getattr(t, "recovery_checkpoint", None):
                out[arn] = t.recovery_checkpoint
        for arn, c in getattr(b, "replication_configs", {}).items():
            if getattr(c.replication, "recovery_checkpoint", None):
                out[arn] = c.replication.recovery_checkpoint
    return out


# ---- Certificates (absent from moto 5.2.5) ----------------------------------

PEM_MARKER = "-----BEGIN CERTIFICATE-----"


class FakeCertificate:
    def __init__(self, backend: Backend, params: dict):
        self.id = params["CertificateIdentifier"]
        self.arn = (f"arn:{_partition(backend)}:dms:{backend.region_name}:{backend.account_id}:cert:"
                    f"{random_id(True, 26)}")
        self.pem = params.get("CertificatePem")
        self.wallet = params.get("CertificateWallet")
        self.kms_key_id = params.get("KmsKeyId")
        self.create_time = _now_epoch()
        self.valid_from = self.valid_to = self.signing_algorithm = self.key_length = None
        if self.pem:
            self._parse()

    def _parse(self) -> None:
        # Parsed with `cryptography` (installed with moto); a PEM it can't read
        # still imports, without those members.
        try:
            from cryptography import x509
            from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

            cert = x509.load_pem_x509_certificate(self.pem.encode())
        except Exception:
            return
        self.valid_from = cert.not_valid_before_utc.timestamp()
        self.valid_to = cert.not_valid_after_utc.timestamp()
        key = cert.public_key()
        if isinstance(key, (rsa.RSAPublicKey, dsa.DSAPublicKey, ec.EllipticCurvePublicKey)):
            self.key_length = key.key_size
        kind = {rsa.RSAPublicKey: "RSA", ec.EllipticCurvePublicKey: "ECDSA", dsa.DSAPublicKey: "DSA"}
        algo = next((v for k, v in kind.items() if isinstance(key, k)), None)
        h = cert.signature_hash_algorithm
        if algo and h is not None:
            self.signing_algorithm = f"{h.name.upper()}with{algo}"  # e.g. SHA256withRSA

    def to_dict(self) -> dict:
        return _strip_none({
            "CertificateIdentifier": self.id,
            "CertificateCreationDate": self.create_time,
            "CertificatePem": self.pem,
            "CertificateWallet": self.wallet,
            "CertificateArn": self.arn,
            "ValidFromDate": self.valid_from,
            "ValidToDate": self.valid_to,
            "SigningAlgorithm": self.signing_algorithm,
            "KeyLength": self.key_length,
            "KmsKeyId": self.kms_key_id,
        })


def import_certificate(self: Backend, params: dict) -> FakeCertificate:
    _init_more(self)
    ident = params.get("CertificateIdentifier")
    _check_identifier("CertificateIdentifier", ident, 255)
    pem, wallet = params.get("CertificatePem"), params.get("CertificateWallet")
    if pem is not None and wallet is not None:
        raise InvalidParameterCombinationException("Specify either CertificatePem or CertificateWallet, not both.")
    if pem is None and wallet is None:
        raise InvalidParameterValueException("Specify CertificatePem or CertificateWallet.")
    if pem is not None and (not isinstance(pem, str) or PEM_MARKER not in pem):
        raise InvalidCertificateFault(f"CertificatePem is not a PEM-encoded X.509 certificate ({PEM_MARKER} missing).")
    if wallet is not None:
        try:
            if not isinstance(wallet, str) or not base64.b64decode(wallet, validate=True):
                raise ValueError
        except Exception:
            raise InvalidCertificateFault("CertificateWallet is not a valid (base64-encoded) Oracle wallet.")
    if any(c.id == ident for c in self.certificates.values()):
        raise ResourceAlreadyExistsFault(f"Certificate {ident} already exists.")
    cert = FakeCertificate(self, params)
    self.certificates[cert.arn] = cert
    if params.get("Tags"):
        self.tagger.tag_resource(cert.arn, params["Tags"])
    return cert


def delete_certificate(self: Backend, params: dict) -> FakeCertificate:
    _init_more(self)
    arn = params.get("CertificateArn")
    _check_arn("CertificateArn", arn)
    cert = self.certificates.get(arn)
    if cert is None:
        raise ResourceNotFoundFault(f"Certificate {arn} not found.")
    users = sorted(e.endpoint_identifier for e in self.endpoints.values()
                   if getattr(e, "certificate_arn", None) == arn)
    if users:
        raise InvalidResourceStateFault(
            f"Certificate {cert.id} is in use by endpoints: {', '.join(users)}.")
    self.certificates.pop(arn)
    self.tagger.delete_all_tags_for_resource(arn)
    return cert


def r_import_certificate(self: Any) -> str:
    return json.dumps({"Certificate": self.dms_backend.import_certificate(_params(self)).to_dict()})


def r_delete_certificate(self: Any) -> str:
    return json.dumps({"Certificate": self.dms_backend.delete_certificate(_params(self)).to_dict()})


def r_describe_certificates(self: Any) -> str:
    p = _params(self)
    backend = self.dms_backend
    _init_more(backend)
    filters = _check_filters(p.get("Filters"), ("certificate-id", "certificate-arn"))
    items = list(backend.certificates.values())
    for f in filters:
        attr = "id" if f["Name"] == "certificate-id" else "arn"
        items = [c for c in items if getattr(c, attr) in f["Values"]]
    _not_found_if_filtered_empty(filters, items, "certificates")
    # "MaxRecords ... Default: 10"; the reference gives no range: 1..100 here.
    q = dict(p)
    q.setdefault("MaxRecords", 10)
    page, marker = paginate("DescribeCertificates", items, q, 1, 100)
    out: dict[str, Any] = {"Certificates": [c.to_dict() for c in page]}
    if marker:
        out["Marker"] = marker
    return json.dumps(out)


_orig_all_resource_arns = _all_resource_arns


def _all_resource_arns_with_certs(self: Backend) -> set[str]:
    _init_more(self)
    return _orig_all_resource_arns(self) | set(self.certificates)


# ---- Premigration assessment runs (tasks; absent from moto 5.2.5) -----------
# ReplicationTaskAssessmentRun.Status values of the reference used here:
# "starting" (resources not yet provisioned) -> "provisioning" -> "running" ->
# "passed" | "failed" | "warning" (derived from the individual assessments).

ASSESSMENT_MODEL = "dms::assessmentrun"
ASSESSMENT_CHAIN = ["starting", "provisioning", "running", "completed"]
ASSESSMENT_ACTIVE = ("starting", "provisioning", "running")
# ReplicationTaskIndividualAssessment.Status: "cancelled" "error" "failed"
# "passed" "pending" "skipped" "running"; the final ones can be seeded.
INDIVIDUAL_FINAL = ("passed", "warning", "failed", "error", "skipped", "cancelled")
# Used when nothing was seeded for the task: assessments of the DMS user guide
# ("Individual assessments"), all passing.
DEFAULT_ASSESSMENTS = ("unsupported-data-types-in-source", "full-lob-not-nullable-at-target",
                       "table-with-lob-but-without-primary-key-or-unique-constraint")


def _overall_status(statuses: list[str]) -> str:
    # "failed – At least one individual assessment completed with a failed
    # status."  "warning – At least one individual assessment completed with a
    # warning status or all individual assessments were skipped."  "passed –
    # All individual assessments have completed, and none has a failed status."
    # An "error" assessment: "error-executing – An internal error occurred
    # while individual assessments ran" (an assumption: the reference does not
    # map individual "error" to a run status).
    if "failed" in statuses:
        return "failed"
    if "error" in statuses:
        return "error-executing"
    if "warning" in statuses or (statuses and all(s == "skipped" for s in statuses)):
        return "warning"
    return "passed"


class FakeAssessmentRun:
    def __init__(self, backend: Backend, task: M.FakeReplicationTask, params: dict, results: list[dict]):
        prefix = f"arn:{_partition(backend)}:dms:{backend.region_name}:{backend.account_id}"
        self.arn = f"{prefix}:assessment-run:{random_id(True, 26)}"
        self.task_arn = task.arn
        self.instance_arn = task.replication_instance_arn
        self.params = params
        self.create_time = _now_epoch()
        self.latest = True
        self.lifecycle = Lifecycle(ASSESSMENT_MODEL, list(zip(ASSESSMENT_CHAIN, ASSESSMENT_CHAIN[1:])),
                                   "starting")
        self.individual = [{"arn": f"{prefix}:individual-assessment:{random_id(True, 26)}",
                            "name": r["IndividualAssessmentName"], "final": r["Status"],
                            "message": r.get("LastFailureMessage")} for r in results]

    def status(self) -> str:
        s = self.lifecycle.status
        return _overall_status([i["final"] for i in self.individual]) if s == "completed" else s

    def individual_status(self, item: dict) -> str:
        s = self.lifecycle.status
        return {"starting": "pending", "provisioning": "pending", "running": "running"}.get(s, item["final"])

    def to_dict(self) -> dict:
        p = self.params
        done = self.lifecycle.status == "completed"
        d: dict[str, Any] = {
            "ReplicationTaskAssessmentRunArn": self.arn,
            "ReplicationTaskArn": self.task_arn,
            "Status": self.status(),
            "ReplicationTaskAssessmentRunCreationDate": self.create_time,
            "AssessmentProgress": {"IndividualAssessmentCount": len(self.individual),
                                   "IndividualAssessmentCompletedCount": len(self.individual) if done else 0},
            "ServiceAccessRoleArn": p.get("ServiceAccessRoleArn"),
            "ResultLocationBucket": p.get("ResultLocationBucket"),
            "ResultLocationFolder": p.get("ResultLocationFolder"),
            "ResultEncryptionMode": p.get("ResultEncryptionMode"),
            "ResultKmsKeyArn": p.get("ResultKmsKeyArn"),
            "AssessmentRunName": p.get("AssessmentRunName"),
            "IsLatestTaskAssessmentRun": self.latest,
        }
        if done:
            finals = [i["final"] for i in self.individual]
            d["ResultStatistic"] = {k.capitalize(): finals.count(k)
                                    for k in ("passed", "failed", "error", "warning", "cancelled", "skipped")}
            msgs = [i["message"] for i in self.individual if i["final"] in ("failed", "error") and i["message"]]
            if msgs:
                d["LastFailureMessage"] = msgs[-1]
        return _strip_none(d)

    def individual_dicts(self) -> list[dict]:
        return [{"ReplicationTaskIndividualAssessmentArn": i["arn"],
                 "ReplicationTaskAssessmentRunArn": self.arn,
                 "IndividualAssessmentName": i["name"],
                 "Status": self.individual_status(i),
                 "ReplicationTaskIndividualAssessmentStartDate": self.create_time} for i in self.individual]


def start_replication_task_assessment_run(self: Backend, params: dict) -> FakeAssessmentRun:
    _init_more(self)
    _required(params, "ReplicationTaskArn", "ServiceAccessRoleArn", "ResultLocationBucket", "AssessmentRunName")
    include, exclude = params.get("IncludeOnly"), params.get("Exclude")
    if include and exclude:
        # "You can't set a value for IncludeOnly if you also set a value for Exclude"
        raise InvalidParameterCombinationException("Specify either IncludeOnly or Exclude, not both.")
    for name, v in (("IncludeOnly", include), ("Exclude", exclude)):
        if v is not None and (not isinstance(v, list) or not all(isinstance(x, str) for x in v)):
            raise InvalidParameterValueException(f"Invalid {name}: must be a list of assessment names.")
    task = _task_by_arn(self, params["ReplicationTaskArn"])
    runs = [r for r in self.assessment_runs.values() if r.task_arn == task.arn]
    busy = [r for r in runs if r.lifecycle.status in ASSESSMENT_ACTIVE]
    if busy:
        raise InvalidResourceStateFault(
            f"Replication task {task.id} already has an assessment run in status {busy[0].lifecycle.status}.")
    if any(r.params.get("AssessmentRunName") == params["AssessmentRunName"] for r in self.assessment_runs.values()):
        raise ResourceAlreadyExistsFault(f"Assessment run {params['AssessmentRunName']} already exists.")
    seeded = self.assessment_results.get(task.arn)
    results = ([dict(r) for r in seeded] if seeded is not None
               else [{"IndividualAssessmentName": n, "Status": "passed"} for n in (include or DEFAULT_ASSESSMENTS)])
    if include:
        results = [r for r in results if r["IndividualAssessmentName"] in include]
    if exclude:
        results = [r for r in results if r["IndividualAssessmentName"] not in exclude]
    for r in runs:
        r.latest = False
    run = FakeAssessmentRun(self, task, params, results)
    self.assessment_runs[run.arn] = run
    if params.get("Tags"):
        self.tagger.tag_resource(run.arn, params["Tags"])
    return run


ASSESSMENT_RUN_FILTERS = ("replication-task-assessment-run-arn", "replication-task-arn",
                          "replication-instance-arn", "status")
INDIVIDUAL_FILTERS = ("replication-task-assessment-run-arn", "replication-task-arn", "status")


def r_start_replication_task_assessment_run(self: Any) -> str:
    run = self.dms_backend.start_replication_task_assessment_run(_params(self))
    return json.dumps({"ReplicationTaskAssessmentRun": run.to_dict()})


def r_describe_replication_task_assessment_runs(self: Any) -> str:
    p = _params(self)
    backend = self.dms_backend
    _init_more(backend)
    filters = _check_filters(p.get("Filters"), ASSESSMENT_RUN_FILTERS)
    items = list(backend.assessment_runs.values())
    keys = {"replication-task-assessment-run-arn": lambda r: r.arn, "replication-task-arn": lambda r: r.task_arn,
            "replication-instance-arn": lambda r: r.instance_arn}
    for f in filters:
        if f["Name"] != "status":
            items = [r for r in items if keys[f["Name"]](r) in f["Values"]]
    for r in items:
        r.lifecycle.advance()
    for f in filters:
        if f["Name"] == "status":
            items = [r for r in items if r.status() in f["Values"]]
    _not_found_if_filtered_empty(filters, items, "assessment runs")
    return _describe("DescribeReplicationTaskAssessmentRuns", "ReplicationTaskAssessmentRuns", items, p,
                     lambda r: r.to_dict())


def r_describe_replication_task_individual_assessments(self: Any) -> str:
    p = _params(self)
    backend = self.dms_backend
    _init_more(backend)
    filters = _check_filters(p.get("Filters"), INDIVIDUAL_FILTERS)
    rows = [(run, d) for run in backend.assessment_runs.values() for d in run.individual_dicts()]
    for f in filters:
        if f["Name"] == "replication-task-assessment-run-arn":
            rows = [(r, d) for r, d in rows if r.arn in f["Values"]]
        elif f["Name"] == "replication-task-arn":
            rows = [(r, d) for r, d in rows if r.task_arn in f["Values"]]
        else:
            rows = [(r, d) for r, d in rows if d["Status"] in f["Values"]]
    items = [d for _, d in rows]
    _not_found_if_filtered_empty(filters, items, "individual assessments")
    return _describe("DescribeReplicationTaskIndividualAssessments", "ReplicationTaskIndividualAssessments",
                     items, p, lambda d: d)


def set_assessment_results(results: Any) -> None:
    """PUT /_dmsctl/assessment-results: {"<TaskArn or ReplicationConfigArn>": [{"IndividualAssessmentName":
    "...", "Status": "passed", "LastFailureMessage"?: "..."}]}; replaces every
    seeded list.  Used by assessment runs started after the PUT."""
    if not isinstance(results, dict):
        raise ValueError('body must be {"<ReplicationTaskArn>": [{"IndividualAssessmentName": ..., "Status": ...}]}')
    checked = []
    for arn, rows in results.items():
        backend = _backend_for_arn(arn)
        if ":replication-config:" in arn:  # a serverless replication's premigration assessment
            _config_by_arn(backend, arn)
        else:
            _task_by_arn(backend, arn)
        if not isinstance(rows, list):
            raise ValueError(f"{arn}: must be a list of individual assessment results")
        names = set()
        for r in rows:
            if not isinstance(r, dict) or set(r) - {"IndividualAssessmentName", "Status", "LastFailureMessage"}:
                raise ValueError(f"{arn}: each result is {{\"IndividualAssessmentName\", \"Status\", "
                                 "\"LastFailureMessage\"?}")
            if not isinstance(r.get("IndividualAssessmentName"), str) or not r["IndividualAssessmentName"]:
                raise ValueError(f"{arn}: IndividualAssessmentName must be a non-empty string")
            if r["IndividualAssessmentName"] in names:
                raise ValueError(f"{arn}: duplicate assessment {r['IndividualAssessmentName']!r}")
            names.add(r["IndividualAssessmentName"])
            if r.get("Status") not in INDIVIDUAL_FINAL:
                raise ValueError(f"{arn}: Status must be one of {', '.join(INDIVIDUAL_FINAL)}")
            if r.get("LastFailureMessage") is not None and not isinstance(r["LastFailureMessage"], str):
                raise ValueError(f"{arn}: LastFailureMessage must be a string")
        checked.append((backend, arn, [dict(r) for r in rows]))
    for b in _existing_backends():
        _init_more(b)
        b.assessment_results.clear()
    for backend, arn, rows in checked:
        backend.assessment_results[arn] = rows


def get_assessment_results() -> dict:
    return {arn: [dict(r) for r in rows] for b in _existing_backends()
            for arn, rows in getattr(b, "assessment_results", {}).items()}


def _all_resource_arns_more(self: Backend) -> set[str]:
    return _all_resource_arns_with_certs(self) | set(self.assessment_runs)


# Control-API stores: path -> (set or None, get).  PUT/POST replace, GET reads.
CONTROL_STORES = {
    "/_dmsctl/reloads": (None, get_reloads),
    "/_dmsctl/starts": (None, get_starts),
    "/_dmsctl/connection-results": (set_connection_results, get_connection_results),
    "/_dmsctl/recovery-checkpoints": (set_recovery_checkpoints, get_recovery_checkpoints),
    "/_dmsctl/assessment-results": (set_assessment_results, get_assessment_results),
}


def _apply_more() -> None:
    global _all_resource_arns  # tags: certificates and assessment runs are taggable too
    _all_resource_arns = _all_resource_arns_more
    state_manager.register_default_transition(CONNECTION_MODEL, {"progression": "manual", "times": 2})
    state_manager.register_default_transition(ASSESSMENT_MODEL, {"progression": "manual", "times": 1})
    M.FakeReplicationTask.to_dict = _task_to_dict_checkpoint
    FakeReplication.to_dict = _replication_to_dict_checkpoint
    for name, fn in {
        "reload_tables": reload_tables,
        "reload_replication_tables": reload_replication_tables,
        "test_connection": test_connection,
        "describe_connections": describe_connections,
        "import_certificate": import_certificate,
        "delete_certificate": delete_certificate,
        "start_replication_task_assessment_run": start_replication_task_assessment_run,
    }.items():
        setattr(Backend, name, fn)
    Resp = R.DatabaseMigrationServiceResponse
    for name, fn in {
        "reload_tables": r_reload_tables,
        "reload_replication_tables": r_reload_replication_tables,
        "test_connection": r_test_connection,
        "create_replication_task": r_create_replication_task_cdc,
        "modify_replication_task": r_modify_replication_task_cdc,
        "start_replication_task": r_start_replication_task_cdc,
        "start_replication": r_start_replication_cdc,
        "import_certificate": r_import_certificate,
        "describe_certificates": r_describe_certificates,
        "delete_certificate": r_delete_certificate,
        "start_replication_task_assessment_run": r_start_replication_task_assessment_run,
        "describe_replication_task_assessment_runs": r_describe_replication_task_assessment_runs,
        "describe_replication_task_individual_assessments": r_describe_replication_task_individual_assessments,
    }.items():
        setattr(Resp, name, fn)
    _apply_latest()
    _apply_serverless_assessments()


# ===========================================================================
# MoveReplicationTask and event subscriptions (both absent from moto 5.2.5,
# which answered 501).  State lives in the DMS backends (_init_latest), so
# moto's reset clears it.
# ===========================================================================


def _init_latest(self: Backend) -> None:
    _init_more(self)
    if not hasattr(self, "moves"):
        self.moves: list[dict] = []  # accepted MoveReplicationTask calls: {"arn", "from", "to"}
        self.event_subscriptions: dict[str, FakeEventSubscription] = {}  # name -> subscription, creation order


# ---- MoveReplicationTask ------------------------------------------------------
# API reference: "Moves a replication task from its current replication
# instance to a different target replication instance ... The target
# replication instance must be created with the same or later DMS version as
# the current replication instance."  ReplicationTask.Status: "moving" - the
# task is being moved; "failed-move" - the task failed to move.
# ReplicationTask.TargetReplicationInstanceArn: "The ARN of the replication
# instance to which this task is moved ... Otherwise, this response parameter
# isn't a member of the ReplicationTask object."
# User guide, "Moving a task": a task that has run must be Stopped, Failed or
# Failed-move to be moved (a task never run is "ready"); "You can't move a
# task to the same replication instance where it currently resides."

MOVABLE_TASK_STATES = ("ready", "stopped", "failed", "failed-move")
TASK_MOVE_MODEL = "dms::replicationtaskmove"


def _version_tuple(v: Any) -> tuple[int, ...] | None:
    try:
        return tuple(int(x) for x in str(v).split("."))
    except (TypeError, ValueError):
        return None


def _finish_move(self: M.FakeReplicationTask, status: str) -> str:
    move = self.__dict__.get("_move")
    if move is not None and status != "moving":
        # The move finished (moving -> the status the task had): the task now
        # belongs to the target instance, and follows its own model again.
        self.__dict__["_replication_instance_arn"] = move["to"]
        self.__dict__.pop("_move")
        self._lifecycle.model_name = TASK_MODEL
        self._lifecycle._transitions = list(TASK_TRANSITIONS)
    return status


def _task_status_get_move(self: M.FakeReplicationTask) -> str:
    return _finish_move(self, self._lifecycle.status)


def _task_instance_arn_get(self: M.FakeReplicationTask) -> str:
    if "_move" in self.__dict__:
        self.status  # noqa: B018 -- evaluates the transition, finishing a completed move
    return self.__dict__.get("_replication_instance_arn")


def _task_instance_arn_set(self: M.FakeReplicationTask, value: str) -> None:
    self.__dict__["_replication_instance_arn"] = value


def move_replication_task(self: Backend, params: dict) -> M.FakeReplicationTask:
    _init_latest(self)
    _required(params, "ReplicationTaskArn", "TargetReplicationInstanceArn")
    task = _task_by_arn(self, params["ReplicationTaskArn"])
    target_arn = params["TargetReplicationInstanceArn"]
    _check_arn("TargetReplicationInstanceArn", target_arn)
    target = self.replication_instances.get(target_arn)
    if target is None:
        raise ResourceNotFoundFault(f"Replication instance {target_arn} not found.")
    status = task.status
    if status not in MOVABLE_TASK_STATES:
        raise InvalidResourceStateFault(
            f"Replication task {task.id} can't be moved in status {status}: it must be "
            "stopped, failed or failed-move (or ready, if it never ran).")
    source_arn = task.replication_instance_arn
    if target_arn == source_arn:
        raise InvalidParameterValueException(
            f"Replication task {task.id} already resides on replication instance {target.id}.")
    if target.status != "available":
        raise InvalidResourceStateFault(
            f"Target replication instance {target.id} is not available (status {target.status}).")
    source = self.replication_instances.get(source_arn)
    src_v = _version_tuple(getattr(source, "engine_version", None))
    tgt_v = _version_tuple(getattr(target, "engine_version", None))
    if src_v and tgt_v and tgt_v < src_v:
        raise InvalidParameterValueException(
            f"Target replication instance {target.id} runs DMS {target.engine_version}, earlier than "
            f"{source.engine_version} of the task's current instance.")
    # Back to the status it had; a move of a failed-move task that succeeds
    # leaves it stopped (an assumption: the guide names no status for that).
    back = "stopped" if status == "failed-move" else status
    task.__dict__["_move"] = {"from": source_arn, "to": target_arn}
    task.status = "moving"
    # While moving, the task's status follows model dms::replicationtaskmove
    # (default manual, times 2: the first DescribeReplicationTasks after the
    # move still says "moving", the next one the status it had).
    task._lifecycle.model_name = TASK_MOVE_MODEL
    task._lifecycle._transitions = list(TASK_TRANSITIONS) + [("moving", back)]
    self.moves.append({"arn": task.arn, "from": source_arn, "to": target_arn})
    return task


def r_move_replication_task(self: Any) -> str:
    return json.dumps({"ReplicationTask": self.dms_backend.move_replication_task(_params(self)).to_dict()})


def get_moves() -> dict:
    return {"moves": [dict(m) for b in _existing_backends() for m in getattr(b, "moves", [])]}


_prev_task_to_dict = None


def _task_to_dict_move(self: M.FakeReplicationTask) -> dict:
    d = _prev_task_to_dict(self)
    move = self.__dict__.get("_move")
    if move is not None and d.get("Status") == "moving":
        d["TargetReplicationInstanceArn"] = move["to"]
    return d


_prev_delete_task = None
_prev_delete_instance = None


def delete_replication_task_move(self: Backend, replication_task_arn: str) -> M.FakeReplicationTask:
    task = _task_by_arn(self, replication_task_arn)
    if task.status == "moving":
        raise InvalidResourceStateFault(f"Replication task {task.id} can't be deleted while it is moving.")
    return _prev_delete_task(self, replication_task_arn)


def delete_replication_instance_move(self: Backend, replication_instance_arn: str) -> M.FakeReplicationInstance:
    # A task being moved to the instance uses it too.
    inst = _instance_by_arn(self, replication_instance_arn)
    users = sorted(t.id for t in self.replication_tasks.values()
                   if (t.__dict__.get("_move") or {}).get("to") == replication_instance_arn
                   and t.status == "moving")
    if users:
        raise InvalidResourceStateFault(
            f"Replication instance {inst.id} is the target of tasks being moved: {', '.join(users)}.")
    return _prev_delete_instance(self, replication_instance_arn)


# ---- Event subscriptions ----------------------------------------------------
# CreateEventSubscription / DescribeEventSubscriptions / ModifyEventSubscription
# / DeleteEventSubscription / DescribeEventCategories.  (DMS has no
# AddSourceIdentifierToSubscription / RemoveSourceIdentifierFromSubscription:
# those are RDS operations, absent from the DMS model; they answer 501 here.)

EVENT_SUBSCRIPTION_MODEL = "dms::eventsubscription"
# EventSubscription.Status: "creating | modifying | deleting | active |
# no-permission | topic-not-exist"; the AWS CLI example of
# create-event-subscription answers "creating".
EVENT_SUBSCRIPTION_TRANSITIONS = [("creating", "active"), ("modifying", "active")]
# CreateEventSubscription.SourceType: "Valid values: replication-instance | replication-task"
EVENT_SOURCE_TYPES = ("replication-instance", "replication-task")
# DescribeEventCategories as the DMS user guide ("Working with events and
# notifications", the category tables) and the AWS CLI example of
# describe-event-categories list them, in that example's order and spelling.
EVENT_CATEGORIES = {
    "replication-instance": ["low storage", "configuration change", "maintenance", "deletion", "creation",
                             "failover", "failure"],
    "replication-task": ["configuration change", "state change", "deletion", "creation", "failure"],
}
_SNS_TOPIC_RE = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")


class SNSInvalidTopicFault(DmsClientError):
    def __init__(self, message: str):
        super().__init__("SNSInvalidTopicFault", message)


class FakeEventSubscription:
    def __init__(self, backend: Backend, params: dict):
        self.name = params["SubscriptionName"]
        self.account_id = backend.account_id
        self.arn = f"arn:{_partition(backend)}:dms:{backend.region_name}:{backend.account_id}:es:{self.name}"
        self.topic = params["SnsTopicArn"]
        self.source_type = params.get("SourceType")
        self.source_ids = list(params.get("SourceIds") or [])
        self.categories = list(params.get("EventCategories") or [])
        self.enabled = True if params.get("Enabled") is None else bool(params["Enabled"])
        # "SubscriptionCreationTime" is a string in the model; the AWS CLI
        # example shows "2020-05-21 21:58:38.598".
        now = datetime.now(timezone.utc)
        self.created = now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}"
        self.lifecycle = Lifecycle(EVENT_SUBSCRIPTION_MODEL, EVENT_SUBSCRIPTION_TRANSITIONS, "creating")

    def to_dict(self, status: str | None = None) -> dict:
        d: dict[str, Any] = {
            "CustomerAwsId": self.account_id,
            "CustSubscriptionId": self.name,
            "SnsTopicArn": self.topic,
            "Status": status or self.lifecycle.status,
            "SubscriptionCreationTime": self.created,
            "SourceType": self.source_type,
            "Enabled": self.enabled,
        }
        if self.source_ids:
            d["SourceIdsList"] = list(self.source_ids)
        if self.categories:
            d["EventCategoriesList"] = list(self.categories)
        return _strip_none(d)


def _check_sns_topic(arn: Any) -> None:
    if not isinstance(arn, str) or not _SNS_TOPIC_RE.match(arn):
        raise SNSInvalidTopicFault(f"Invalid SnsTopicArn {arn!r}: not an Amazon SNS topic ARN.")


def _check_source_type(value: Any) -> None:
    if value is not None:
        _check_enum("SourceType", value, EVENT_SOURCE_TYPES)


def _check_categories(source_type: str | None, categories: Any) -> list[str]:
    if categories is None:
        return []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise InvalidParameterValueException("EventCategories must be a list of strings.")
    allowed = (EVENT_CATEGORIES[source_type] if source_type
               else sorted({c for cs in EVENT_CATEGORIES.values() for c in cs}))
    bad = [c for c in categories if c not in allowed]
    if bad:
        raise InvalidParameterValueException(
            f"Invalid event categories {bad} for source type {source_type or '(all)'}: valid are "
            f"{', '.join(allowed)}.")
    return categories


def _subscription(self: Backend, name: Any) -> "FakeEventSubscription":
    _init_latest(self)
    if not isinstance(name, str) or not name:
        raise InvalidParameterValueException("The parameter SubscriptionName must be provided.")
    sub = self.event_subscriptions.get(name)
    if sub is None:
        raise ResourceNotFoundFault(f"Event subscription {name} not found.")
    return sub


def create_event_subscription(self: Backend, params: dict) -> FakeEventSubscription:
    _init_latest(self)
    name = params.get("SubscriptionName")
    _required(params, "SubscriptionName", "SnsTopicArn")
    if not isinstance(name, str) or len(name) >= 255:  # "This name must be less than 255 characters."
        raise InvalidParameterValueException("SubscriptionName must be a string of less than 255 characters.")
    _check_sns_topic(params["SnsTopicArn"])
    source_type = params.get("SourceType")
    _check_source_type(source_type)
    _check_categories(source_type, params.get("EventCategories"))
    ids = params.get("SourceIds")
    if ids:
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InvalidParameterValueException("SourceIds must be a list of strings.")
        if source_type is None:
            # "If you specify multiple values, they must be of the same type";
            # the type is SourceType (as in RDS, which requires it with SourceIds).
            raise InvalidParameterCombinationException("SourceIds need a SourceType.")
        if source_type == "replication-instance":
            known = {i.id for i in self.replication_instances.values()}
            ids = [i.lower() for i in ids]  # instance identifiers are stored lowercase
        else:
            known = {t.id for t in self.replication_tasks.values()}
        missing = [i for i in ids if i not in known]
        if missing:
            raise ResourceNotFoundFault(f"Source {source_type} not found: {', '.join(missing)}.")
        params = {**params, "SourceIds": ids}
    if name in self.event_subscriptions:
        raise ResourceAlreadyExistsFault(f"Event subscription {name} already exists.")
    sub = FakeEventSubscription(self, params)
    self.event_subscriptions[name] = sub
    if params.get("Tags"):
        self.tagger.tag_resource(sub.arn, params["Tags"])
    return sub


def modify_event_subscription(self: Backend, params: dict) -> FakeEventSubscription:
    sub = _subscription(self, params.get("SubscriptionName"))
    if params.get("SnsTopicArn") is not None:
        _check_sns_topic(params["SnsTopicArn"])
    source_type = params.get("SourceType", sub.source_type)
    _check_source_type(source_type)
    if sub.source_ids and source_type != sub.source_type:
        # ModifyEventSubscription can't change SourceIds, and they are
        # identifiers of the old SourceType (an assumption: the reference is silent).
        raise InvalidParameterCombinationException(
            f"Event subscription {sub.name} has SourceIds of type {sub.source_type}; "
            "its SourceType can't change.")
    categories = params.get("EventCategories", sub.categories)
    _check_categories(source_type, categories)
    if params.get("SnsTopicArn") is not None:
        sub.topic = params["SnsTopicArn"]
    sub.source_type = source_type
    sub.categories = list(categories or [])
    if params.get("Enabled") is not None:
        sub.enabled = bool(params["Enabled"])
    sub.lifecycle.set("modifying")
    return sub


def delete_event_subscription(self: Backend, params: dict) -> FakeEventSubscription:
    sub = _subscription(self, params.get("SubscriptionName"))
    self.event_subscriptions.pop(sub.name)
    self.tagger.delete_all_tags_for_resource(sub.arn)
    return sub


EVENT_SUBSCRIPTION_FILTERS = ("event-subscription-arn", "event-subscription-id")


def r_create_event_subscription(self: Any) -> str:
    return json.dumps({"EventSubscription": self.dms_backend.create_event_subscription(_params(self)).to_dict()})


def r_modify_event_subscription(self: Any) -> str:
    return json.dumps({"EventSubscription": self.dms_backend.modify_event_subscription(_params(self)).to_dict()})


def r_delete_event_subscription(self: Any) -> str:
    sub = self.dms_backend.delete_event_subscription(_params(self))
    return json.dumps({"EventSubscription": sub.to_dict("deleting")})


def r_describe_event_subscriptions(self: Any) -> str:
    p = _params(self)
    backend = self.dms_backend
    _init_latest(backend)
    filters = _check_filters(p.get("Filters"), EVENT_SUBSCRIPTION_FILTERS)
    if p.get("SubscriptionName") is not None:
        items = [_subscription(backend, p["SubscriptionName"])]
    else:
        items = list(backend.event_subscriptions.values())
    for f in filters:
        attr = "arn" if f["Name"] == "event-subscription-arn" else "name"
        items = [s for s in items if getattr(s, attr) in f["Values"]]
    _not_found_if_filtered_empty(filters, items, "event subscriptions")
    for s in items:
        s.lifecycle.advance()
    return _describe("DescribeEventSubscriptions", "EventSubscriptionsList", items, p, lambda s: s.to_dict())


def r_describe_event_categories(self: Any) -> str:
    p = _params(self)
    source_type = p.get("SourceType")
    _check_source_type(source_type)
    # The reference names no filter for DescribeEventCategories ("Filters
    # applied to the event categories."): any filter name is refused.
    _check_filters(p.get("Filters"), ())
    groups = [{"SourceType": st, "EventCategories": list(cats)} for st, cats in EVENT_CATEGORIES.items()
              if source_type in (None, st)]
    return json.dumps({"EventCategoryGroupList": groups})


def _all_resource_arns_latest(self: Backend) -> set[str]:
    _init_latest(self)
    return _all_resource_arns_more(self) | {s.arn for s in self.event_subscriptions.values()}


CONTROL_STORES["/_dmsctl/moves"] = (None, get_moves)


def _apply_latest() -> None:
    global _all_resource_arns, _prev_task_to_dict, _prev_delete_task, _prev_delete_instance
    _all_resource_arns = _all_resource_arns_latest  # event subscriptions are taggable
    state_manager.register_default_transition(EVENT_SUBSCRIPTION_MODEL, {"progression": "manual", "times": 1})
    T = M.FakeReplicationTask
    state_manager.register_default_transition(TASK_MOVE_MODEL, {"progression": "manual", "times": 2})
    T.status = property(_task_status_get_move, _task_status_set)
    T.replication_instance_arn = property(_task_instance_arn_get, _task_instance_arn_set)
    _prev_task_to_dict = T.to_dict
    T.to_dict = _task_to_dict_move
    _prev_delete_task = Backend.delete_replication_task
    _prev_delete_instance = Backend.delete_replication_instance
    for name, fn in {
        "move_replication_task": move_replication_task,
        "delete_replication_task": delete_replication_task_move,
        "delete_replication_instance": delete_replication_instance_move,
        "create_event_subscription": create_event_subscription,
        "modify_event_subscription": modify_event_subscription,
        "delete_event_subscription": delete_event_subscription,
    }.items():
        setattr(Backend, name, fn)
    Resp = R.DatabaseMigrationServiceResponse
    for name, fn in {
        "move_replication_task": r_move_replication_task,
        "create_event_subscription": r_create_event_subscription,
        "modify_event_subscription": r_modify_event_subscription,
        "delete_event_subscription": r_delete_event_subscription,
        "describe_event_subscriptions": r_describe_event_subscriptions,
        "describe_event_categories": r_describe_event_categories,
    }.items():
        setattr(Resp, name, fn)


# ===========================================================================
# Premigration assessments of serverless replications.  moto 5.2.5 ignored
# StartReplication's PremigrationAssessmentSettings and reported no
# PremigrationAssessmentStatuses.  The API reference: the settings are a
# string holding ResultLocationFolder, ResultEncryptionMode (SSE_KMS |
# SSE_S3), ResultKmsKeyArn, IncludeOnly, Exclude and FailOnAssessmentFailure
# ("true (the default setting) or false. Use this setting to stop the
# replication from starting automatically if the assessment fails");
# DescribeReplications reports PremigrationAssessmentStatus entries, whose
# ResultLocationBucket is "The Amazon S3 bucket that Database Migration
# Service Serverless created".
# ===========================================================================

SERVERLESS_ASSESSMENT_KEYS = {"ResultLocationFolder": str, "ResultEncryptionMode": str, "ResultKmsKeyArn": str,
                              "IncludeOnly": (list, str), "Exclude": (list, str),
                              "FailOnAssessmentFailure": bool}
SERVERLESS_ASSESSMENT_FAILED = ("failed", "error-executing")


def _assessment_names(name: str, v: Any) -> list[str]:
    # "A space-separated list of names": a list as StartReplicationTaskAssessmentRun
    # takes it, or one string of names (both accepted: the reference shows neither).
    if isinstance(v, str):
        return v.split()
    if not all(isinstance(x, str) and x for x in v):
        raise InvalidParameterValueException(f"Invalid {name}: must be a list of assessment names.")
    return list(v)


def _serverless_assessment_settings(text: Any) -> dict:
    if not isinstance(text, str):
        raise InvalidParameterValueException("PremigrationAssessmentSettings must be a JSON string.")
    try:
        settings = json.loads(text)
    except ValueError as e:
        raise InvalidParameterValueException(f"PremigrationAssessmentSettings is not valid JSON: {e}")
    if not isinstance(settings, dict):
        raise InvalidParameterValueException("PremigrationAssessmentSettings must be a JSON object.")
    for k, v in settings.items():
        if k not in SERVERLESS_ASSESSMENT_KEYS:
            raise InvalidParameterValueException(
                f"Unknown premigration assessment setting {k!r}: valid settings are "
                f"{', '.join(SERVERLESS_ASSESSMENT_KEYS)}.")
        if not isinstance(v, SERVERLESS_ASSESSMENT_KEYS[k]):
            raise InvalidParameterValueException(f"Invalid premigration assessment setting {k}.")
    if settings.get("IncludeOnly") and settings.get("Exclude"):
        raise InvalidParameterCombinationException("Specify either IncludeOnly or Exclude, not both.")
    mode = settings.get("ResultEncryptionMode")
    if mode is not None and mode not in ("SSE_KMS", "SSE_S3"):
        raise InvalidParameterValueException("ResultEncryptionMode must be SSE_KMS or SSE_S3.")
    if settings.get("ResultKmsKeyArn") is not None and mode != "SSE_KMS":
        raise InvalidParameterCombinationException("ResultKmsKeyArn needs ResultEncryptionMode SSE_KMS.")
    return settings


class FakeServerlessAssessment:
    """One premigration assessment of a serverless replication: `running` for
    one DescribeReplications, then the overall status of its individual
    assessments (seeded through /_dmsctl/assessment-results with the config's
    ARN, all passed otherwise)."""

    def __init__(self, backend: Backend, rep: "FakeReplication", settings: dict, results: list[dict]):
        prefix = f"arn:{_partition(backend)}:dms:{backend.region_name}:{backend.account_id}"
        self.arn = f"{prefix}:assessment-run:{random_id(True, 26)}"
        self.settings = settings
        self.fail_on_failure = settings.get("FailOnAssessmentFailure", True)
        self.create_time = _now_epoch()
        self.results = results
        self.polls = 1
        self.bucket = f"dms-serverless-premigration-results-{random_id(False, 12)}"

    def status(self) -> str:
        return "running" if self.polls > 0 else _overall_status([r["Status"] for r in self.results])

    def to_dict(self) -> dict:
        s = self.settings
        status = self.status()
        d: dict[str, Any] = {
            "PremigrationAssessmentRunArn": self.arn,
            "FailOnAssessmentFailure": self.fail_on_failure,
            "Status": status,
            "PremigrationAssessmentRunCreationDate": self.create_time,
            "AssessmentProgress": {"IndividualAssessmentCount": len(self.results),
                                   "IndividualAssessmentCompletedCount": 0 if status == "running" else len(self.results)},
            "ResultLocationBucket": self.bucket,
            "ResultLocationFolder": s.get("ResultLocationFolder"),
            "ResultEncryptionMode": s.get("ResultEncryptionMode"),
            "ResultKmsKeyArn": s.get("ResultKmsKeyArn"),
        }
        if status != "running":
            finals = [r["Status"] for r in self.results]
            d["ResultStatistic"] = {k.capitalize(): finals.count(k)
                                    for k in ("passed", "failed", "error", "warning", "cancelled", "skipped")}
            msgs = [r.get("LastFailureMessage") for r in self.results
                    if r["Status"] in ("failed", "error") and r.get("LastFailureMessage")]
            if msgs:
                d["LastFailureMessage"] = msgs[-1]
        return _strip_none(d)


def _advance_replication_assessed(r: "FakeReplication") -> None:
    a = (getattr(r, "assessments", None) or [None])[-1]
    if a is None or a.polls <= 0:
        r.lifecycle.advance()
        return
    a.polls -= 1
    if a.polls == 0 and a.status() in SERVERLESS_ASSESSMENT_FAILED and a.fail_on_failure:
        # The replication does not start (an assumption for what DMS reports then:
        # stopped, with the reason below).
        r.set_status("stopped")
        r.stop_time = _now_epoch()
        r.stop_reason = "PREMIGRATION_ASSESSMENT_FAILED"


_prev_start_replication_assessed: Any = None
_prev_replication_to_dict_assessed: Any = None


def r_start_replication_assessed(self: Any) -> str:
    p = _params(self)
    text = p.get("PremigrationAssessmentSettings")
    if text is None:
        return _prev_start_replication_assessed(self)
    settings = _serverless_assessment_settings(text)
    backend = self.dms_backend
    _init_more(backend)
    cfg = _config_by_arn(backend, p.get("ReplicationConfigArn"))
    include = _assessment_names("IncludeOnly", settings.get("IncludeOnly") or [])
    exclude = _assessment_names("Exclude", settings.get("Exclude") or [])
    out = _prev_start_replication_assessed(self)  # validates and starts, as without settings
    seeded = backend.assessment_results.get(cfg.arn)
    results = ([dict(r) for r in seeded] if seeded is not None
               else [{"IndividualAssessmentName": n, "Status": "passed"} for n in (include or DEFAULT_ASSESSMENTS)])
    if include:
        results = [r for r in results if r["IndividualAssessmentName"] in include]
    results = [r for r in results if r["IndividualAssessmentName"] not in exclude]
    rep = cfg.replication
    rep.assessments = getattr(rep, "assessments", []) + [FakeServerlessAssessment(backend, rep, settings, results)]
    backend.starts[-1]["premigration_assessment_settings"] = settings
    return json.dumps({"Replication": rep.to_dict()})


def _replication_to_dict_assessed(self: "FakeReplication") -> dict:
    d = _prev_replication_to_dict_assessed(self)
    runs = getattr(self, "assessments", [])
    if runs:
        d["PremigrationAssessmentStatuses"] = [a.to_dict() for a in runs]
    return d


def _apply_serverless_assessments() -> None:
    global _advance_replication, _prev_start_replication_assessed, _prev_replication_to_dict_assessed
    _advance_replication = _advance_replication_assessed
    Resp = R.DatabaseMigrationServiceResponse
    _prev_start_replication_assessed = Resp.start_replication
    Resp.start_replication = r_start_replication_assessed
    _prev_replication_to_dict_assessed = FakeReplication.to_dict
    FakeReplication.to_dict = _replication_to_dict_assessed
