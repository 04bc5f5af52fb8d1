"""Checks every gap the emulator fills, over raw HTTP (AWS JSON 1.1 + X-Amz-Target).

Run with `scripts/emulator test`.  Starts its own emulator on a free port.
Every DMS success response is also checked against botocore's DMS service
model (types of all members; timestamps must be JSON numbers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import botocore.session
import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/{svc}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000")
MODEL = botocore.session.Session().get_service_model("dms")
SELECT_ALL = json.dumps({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "all",
                                    "object-locator": {"schema-name": "%", "table-name": "%"},
                                    "rule-action": "include"}]})


@pytest.fixture(scope="session")
def url():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "dmsctl_emulator.py"), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("DMSCTL_EMULATOR_LISTENING "), line
        base = line.split()[1]
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(autouse=True)
def fresh(url):
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    yield
    for model in ("dms::replicationtask", "dms::replication", "dms::replicationinstance"):
        requests.post(url + "/moto-api/state-manager/unset-transition", json={"model_name": model})


# ----------------------------------------------------------------- helpers

def check_shape(value, shape, path="$"):
    """Assert `value` has the JSON types the DMS model gives `shape`."""
    t = shape.type_name
    if t == "structure":
        assert isinstance(value, dict), f"{path}: expected object, got {value!r}"
        for k, v in value.items():
            assert k in shape.members, f"{path}.{k}: not a member of {shape.name}"
            assert v is not None, f"{path}.{k}: null"
            check_shape(v, shape.members[k], f"{path}.{k}")
    elif t == "list":
        assert isinstance(value, list), f"{path}: expected array, got {value!r}"
        for i, v in enumerate(value):
            check_shape(v, shape.member, f"{path}[{i}]")
    elif t == "map":
        assert isinstance(value, dict), f"{path}: expected map"
    elif t == "timestamp":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), \
            f"{path}: timestamp must be a JSON number (epoch seconds), got {value!r}"
    elif t in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: expected integer, got {value!r}"
    elif t == "double":
        assert isinstance(value, (int, float)), f"{path}: expected number"
    elif t == "boolean":
        assert isinstance(value, bool), f"{path}: expected boolean, got {value!r}"
    elif t == "string":
        assert isinstance(value, str), f"{path}: expected string, got {value!r}"


class Dms:
    def __init__(self, url):
        self.url = url

    def raw(self, op, body=None, service="dms", target_prefix="AmazonDMSv20160101"):
        return requests.post(self.url + "/", data=json.dumps(body or {}), headers={
            "X-Amz-Target": f"{target_prefix}.{op}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": AUTH.format(svc=service),
        })

    def __call__(self, op, **body):
        r = self.raw(op, body)
        assert r.status_code == 200, f"{op}: {r.status_code} {r.text[:500]}"
        assert r.headers["Content-Type"].startswith("application/x-amz-json-1.1")
        doc = r.json()
        check_shape(doc, MODEL.operation_model(op).output_shape, op)
        return doc

    def error(self, op, expected_type, **body):
        r = self.raw(op, body)
        assert r.status_code == 400, f"{op}: expected 400 {expected_type}, got {r.status_code} {r.text[:300]}"
        doc = r.json()
        assert doc["__type"] == expected_type, doc
        assert r.headers["x-amzn-ErrorType"] == expected_type
        assert doc["message"]
        return doc["message"]

    # fixtures-as-methods
    def endpoint(self, ident, etype="source", **kw):
        return self("CreateEndpoint", EndpointIdentifier=ident, EndpointType=etype,
                    EngineName="postgres", **kw)["Endpoint"]

    def instance(self, ident="inst", **kw):
        return self("CreateReplicationInstance", ReplicationInstanceIdentifier=ident,
                    ReplicationInstanceClass="dms.t3.micro", **kw)["ReplicationInstance"]

    def task(self, ident, src, tgt, inst, **kw):
        kw.setdefault("MigrationType", "full-load")
        kw.setdefault("TableMappings", SELECT_ALL)
        return self("CreateReplicationTask", ReplicationTaskIdentifier=ident,
                    SourceEndpointArn=src["EndpointArn"], TargetEndpointArn=tgt["EndpointArn"],
                    ReplicationInstanceArn=inst["ReplicationInstanceArn"], **kw)["ReplicationTask"]

    def config(self, ident, src, tgt, **kw):
        kw.setdefault("ReplicationType", "full-load-and-cdc")
        kw.setdefault("TableMappings", SELECT_ALL)
        kw.setdefault("ComputeConfig", {"MaxCapacityUnits": 4, "MinCapacityUnits": 1})
        return self("CreateReplicationConfig", ReplicationConfigIdentifier=ident,
                    SourceEndpointArn=src["EndpointArn"], TargetEndpointArn=tgt["EndpointArn"],
                    **kw)["ReplicationConfig"]

    def task_status(self, arn):
        return self("DescribeReplicationTasks", Filters=[{"Name": "replication-task-arn", "Values": [arn]}]
                    )["ReplicationTasks"][0]["Status"]

    def replication(self, arn):
        return self("DescribeReplications", Filters=[{"Name": "replication-config-arn", "Values": [arn]}]
                    )["Replications"][0]


@pytest.fixture
def dms(url):
    return Dms(url)


@pytest.fixture
def world(dms):
    """source + target endpoints and an available instance."""
    src, tgt = dms.endpoint("src"), dms.endpoint("tgt", "target")
    inst = dms.instance()
    dms("DescribeReplicationInstances")  # creating -> available
    return src, tgt, inst


def set_transition(url, model, transition):
    requests.post(url + "/moto-api/state-manager/set-transition",
                  json={"model_name": model, "transition": transition}).raise_for_status()


# ------------------------------------------------------------- timestamps

def test_timestamps_are_epoch_numbers(dms, world):
    src, tgt, inst = world
    assert isinstance(inst["InstanceCreateTime"], float)
    task = dms.task("t1", src, tgt, inst)
    assert isinstance(task["ReplicationTaskCreationDate"], float)
    assert abs(task["ReplicationTaskCreationDate"] - time.time()) < 60
    assert dms.task_status(task["ReplicationTaskArn"]) == "ready"
    started = dms("StartReplicationTask", ReplicationTaskArn=task["ReplicationTaskArn"],
                  StartReplicationTaskType="start-replication")["ReplicationTask"]
    assert isinstance(started["ReplicationTaskStartDate"], float)
    assert isinstance(started["ReplicationTaskStats"]["StartDate"], float)
    # every response above and below is shape-checked (timestamps numeric) by Dms.__call__
    dms("DescribeReplicationTasks")
    dms("DescribeReplicationInstances")
    dms("DescribeEndpoints")
    cfg = dms.config("c1", src, tgt)
    assert isinstance(cfg["ReplicationConfigCreateTime"], float)
    rep = dms.replication(cfg["ReplicationConfigArn"])
    assert isinstance(rep["ReplicationCreateTime"], float)


def test_no_nulls_and_no_fake_progress(dms, world):
    src, tgt, inst = world
    task = dms.task("t1", src, tgt, inst)
    assert None not in task.values()
    assert task["ReplicationTaskStats"]["FullLoadProgressPercent"] == 0


# --------------------------------------------------------------- statuses

def test_endpoint_is_active_immediately(dms):
    assert dms.endpoint("e1")["Status"] == "active"
    assert dms("DescribeEndpoints")["Endpoints"][0]["Status"] == "active"


def test_task_lifecycle(dms, world):
    src, tgt, inst = world
    task = dms.task("t1", src, tgt, inst)
    arn = task["ReplicationTaskArn"]
    assert task["Status"] == "creating"
    assert dms.task_status(arn) == "ready"
    r = dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert r["ReplicationTask"]["Status"] == "starting"
    assert dms.task_status(arn) == "running"
    assert dms("StopReplicationTask", ReplicationTaskArn=arn)["ReplicationTask"]["Status"] == "stopping"
    assert dms.task_status(arn) == "stopped"
    dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing")
    assert dms.task_status(arn) == "running"
    dms.error("StartReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn,
              StartReplicationTaskType="reload-target")
    dms.error("DeleteReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn)
    dms.error("StartReplicationTask", "InvalidParameterValueException", ReplicationTaskArn=arn,
              StartReplicationTaskType="bogus")


def test_state_manager_transitions(url, dms, world):
    src, tgt, inst = world
    set_transition(url, "dms::replicationtask", {"progression": "manual", "times": 3})
    arn = dms.task("t1", src, tgt, inst)["ReplicationTaskArn"]
    assert [dms.task_status(arn) for _ in range(3)] == ["creating", "creating", "ready"]
    set_transition(url, "dms::replicationtask", {"progression": "immediate"})
    dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert dms.task_status(arn) == "running"


# --------------------------------------------------- previously missing ops

def test_modify_endpoint(dms):
    e = dms.endpoint("e1", PostgreSQLSettings={"HeartbeatEnable": True}, Port=5432)
    arn = e["EndpointArn"]
    m = dms("ModifyEndpoint", EndpointArn=arn, EndpointIdentifier="e1-renamed", Port=5433,
            PostgreSQLSettings={"SlotName": "s"})["Endpoint"]
    assert m["EndpointIdentifier"] == "e1-renamed" and m["Port"] == 5433
    assert m["PostgreSQLSettings"] == {"HeartbeatEnable": True, "SlotName": "s"}  # merged
    m = dms("ModifyEndpoint", EndpointArn=arn, PostgreSQLSettings={"SlotName": "t"}, ExactSettings=True)["Endpoint"]
    assert m["PostgreSQLSettings"] == {"SlotName": "t"}  # replaced
    assert dms("DescribeEndpoints", Filters=[{"Name": "endpoint-id", "Values": ["e1-renamed"]}]
               )["Endpoints"][0]["EndpointArn"] == arn
    dms.endpoint("e2")
    dms.error("ModifyEndpoint", "ResourceAlreadyExistsFault", EndpointArn=arn, EndpointIdentifier="e2")
    dms.error("ModifyEndpoint", "ResourceNotFoundFault",
              EndpointArn="arn:aws:dms:us-east-1:123456789012:endpoint:NOPE")


def test_modify_replication_task(dms, world):
    src, tgt, inst = world
    arn = dms.task("t1", src, tgt, inst)["ReplicationTaskArn"]
    dms.error("ModifyReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn,
              MigrationType="cdc")  # still "creating"
    dms.task_status(arn)
    m = dms("ModifyReplicationTask", ReplicationTaskArn=arn, MigrationType="full-load-and-cdc",
            ReplicationTaskIdentifier="t1-new", ReplicationTaskSettings='{"Logging": {}}')["ReplicationTask"]
    assert m["Status"] == "modifying" and m["ReplicationTaskArn"] == arn
    assert m["ReplicationTaskIdentifier"] == "t1-new" and m["MigrationType"] == "full-load-and-cdc"
    assert dms.task_status(arn) == "ready"
    dms.error("ModifyReplicationTask", "InvalidParameterValueException", ReplicationTaskArn=arn,
              MigrationType="everything")
    dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    dms.task_status(arn)
    dms.error("ModifyReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn,
              MigrationType="cdc")


def test_describe_table_statistics(url, dms, world):
    src, tgt, inst = world
    arn = dms.task("t1", src, tgt, inst)["ReplicationTaskArn"]
    assert dms("DescribeTableStatistics", ReplicationTaskArn=arn)["TableStatistics"] == []
    rows = [{"SchemaName": "public", "TableName": f"t{i}", "TableState": "Table completed",
             "FullLoadRows": i, "Inserts": 0, "LastUpdateTime": 1700000000.0} for i in range(25)]
    requests.post(url + "/_dmsctl/table-statistics",
                  json={"ReplicationTaskArn": arn, "TableStatistics": rows}).raise_for_status()
    page = dms("DescribeTableStatistics", ReplicationTaskArn=arn, MaxRecords=20)
    assert len(page["TableStatistics"]) == 20 and page["Marker"]
    rest = dms("DescribeTableStatistics", ReplicationTaskArn=arn, MaxRecords=20, Marker=page["Marker"])
    assert len(rest["TableStatistics"]) == 5 and "Marker" not in rest
    one = dms("DescribeTableStatistics", ReplicationTaskArn=arn,
              Filters=[{"Name": "table-name", "Values": ["t3"]}])["TableStatistics"]
    assert [r["TableName"] for r in one] == ["t3"]
    dms.error("DescribeTableStatistics", "ResourceNotFoundFault",
              ReplicationTaskArn="arn:aws:dms:us-east-1:123456789012:task:NOPE")


def _seed_table_statistics(url, body):
    return requests.post(url + "/_dmsctl/table-statistics", json=body)


def test_describe_replication_table_statistics(url, dms, world):
    src, tgt, inst = world
    cfg = dms.config("c1", src, tgt)
    arn = cfg["ReplicationConfigArn"]
    other = dms.config("c2", src, tgt)["ReplicationConfigArn"]
    task_arn = dms.task("t1", src, tgt, inst)["ReplicationTaskArn"]
    # not seeded: an empty list (not 501 NotImplemented), shape-checked by dms()
    empty = dms("DescribeReplicationTableStatistics", ReplicationConfigArn=arn)
    assert empty == {"ReplicationConfigArn": arn, "ReplicationTableStatistics": []}

    rows = [{"SchemaName": "public" if i % 2 else "sales", "TableName": f"t{i}",
             "TableState": "Table completed" if i < 20 else "Table loading",
             "FullLoadRows": i, "Inserts": i * 2, "Updates": 1, "Deletes": 0,
             "FullLoadStartTime": 1700000000.0 + i, "LastUpdateTime": 1700000100.5}
            for i in range(45)]
    # an ISO-8601 timestamp is turned into epoch seconds like moto's own
    rows[0]["FullLoadEndTime"] = "2023-11-14T22:13:20+00:00"
    r = _seed_table_statistics(url, {"ReplicationConfigArn": arn, "TableStatistics": rows})
    assert r.status_code == 200 and r.json() == {"status": "ok"}, r.text

    # the old task form still works, and the two kinds don't mix
    task_rows = [{"SchemaName": "inv", "TableName": "invoice", "TableState": "Table completed",
                  "FullLoadRows": 7}]
    _seed_table_statistics(url, {"ReplicationTaskArn": task_arn, "TableStatistics": task_rows}
                           ).raise_for_status()
    assert dms("DescribeTableStatistics", ReplicationTaskArn=task_arn)["TableStatistics"] == task_rows
    assert dms("DescribeReplicationTableStatistics", ReplicationConfigArn=other
               )["ReplicationTableStatistics"] == []

    doc = dms("DescribeReplicationTableStatistics", ReplicationConfigArn=arn)  # default MaxRecords 100
    assert doc["ReplicationConfigArn"] == arn and "Marker" not in doc
    got = doc["ReplicationTableStatistics"]
    assert [t["TableName"] for t in got] == [f"t{i}" for i in range(45)]
    assert got[0]["FullLoadEndTime"] == 1700000000.0
    assert got[3]["FullLoadStartTime"] == 1700000003.0 and got[3]["LastUpdateTime"] == 1700000100.5
    assert all(isinstance(t["LastUpdateTime"], float) for t in got)
    assert "TableStatistics" not in doc

    # filters: AND across names, OR across one name's values
    def names(filters, **kw):
        return [t["TableName"] for t in dms("DescribeReplicationTableStatistics", ReplicationConfigArn=arn,
                                            Filters=filters, **kw)["ReplicationTableStatistics"]]
    assert names([{"Name": "table-name", "Values": ["t3", "t4", "nope"]}]) == ["t3", "t4"]
    assert names([{"Name": "schema-name", "Values": ["public"]},
                  {"Name": "table-state", "Values": ["Table loading"]}]) == \
        [f"t{i}" for i in range(21, 45, 2)]
    assert names([{"Name": "table-name", "Values": ["nope"]}]) == []
    dms.error("DescribeReplicationTableStatistics", "InvalidParameterValueException",
              ReplicationConfigArn=arn, Filters=[{"Name": "replication-config-arn", "Values": [arn]}])

    # pagination: MaxRecords 20..500, Marker until the end
    items, pages = _all_pages(dms, "DescribeReplicationTableStatistics", "ReplicationTableStatistics", 20,
                              ReplicationConfigArn=arn)
    assert [t["TableName"] for t in items] == [f"t{i}" for i in range(45)] and pages == 3
    items, pages = _all_pages(dms, "DescribeReplicationTableStatistics", "ReplicationTableStatistics", 20,
                              ReplicationConfigArn=arn, Filters=[{"Name": "schema-name", "Values": ["sales"]}])
    assert [t["TableName"] for t in items] == [f"t{i}" for i in range(0, 45, 2)] and pages == 2
    assert len(dms("DescribeReplicationTableStatistics", ReplicationConfigArn=arn, MaxRecords=500
                   )["ReplicationTableStatistics"]) == 45
    for bad in (19, 501):
        dms.error("DescribeReplicationTableStatistics", "InvalidParameterValueException",
                  ReplicationConfigArn=arn, MaxRecords=bad)
    dms.error("DescribeReplicationTableStatistics", "InvalidParameterValueException",
              ReplicationConfigArn=arn, Marker="garbage")
    task_marker = dms("DescribeTableStatistics", ReplicationTaskArn=task_arn, MaxRecords=20)
    assert "Marker" not in task_marker  # one row only
    marker = dms("DescribeReplicationTableStatistics", ReplicationConfigArn=arn, MaxRecords=20)["Marker"]
    dms.error("DescribeTableStatistics", "InvalidParameterValueException",  # markers are per operation
              ReplicationTaskArn=task_arn, Marker=marker)

    # unknown / malformed ARNs
    missing = "arn:aws:dms:us-east-1:123456789012:replication-config:NOPE"
    dms.error("DescribeReplicationTableStatistics", "ResourceNotFoundFault", ReplicationConfigArn=missing)
    dms.error("DescribeReplicationTableStatistics", "InvalidParameterValueException",
              ReplicationConfigArn="not-an-arn")
    dms.error("DescribeReplicationTableStatistics", "InvalidParameterValueException")
    assert _seed_table_statistics(url, {"ReplicationConfigArn": missing, "TableStatistics": rows}
                                  ).status_code == 400
    # a task ARN is not a replication config (and vice versa)
    assert _seed_table_statistics(url, {"ReplicationConfigArn": task_arn, "TableStatistics": []}
                                  ).status_code == 400
    assert _seed_table_statistics(url, {"ReplicationTaskArn": arn, "TableStatistics": []}).status_code == 400
    # exactly one of the two ARN keys; TableStatistics a list of objects
    assert _seed_table_statistics(url, {"ReplicationTaskArn": task_arn, "ReplicationConfigArn": arn,
                                        "TableStatistics": []}).status_code == 400
    assert _seed_table_statistics(url, {"TableStatistics": []}).status_code == 400
    assert _seed_table_statistics(url, {"ReplicationConfigArn": arn, "TableStatistics": {"a": 1}}
                                  ).status_code == 400
    assert len(dms("DescribeReplicationTableStatistics", ReplicationConfigArn=arn
                   )["ReplicationTableStatistics"]) == 45  # failed seeds changed nothing

    # deleting the config drops its rows: a re-created config (same identifier and
    # ResourceIdentifier, so the same ARN) starts empty
    dms("DeleteReplicationConfig", ReplicationConfigArn=arn)
    dms.error("DescribeReplicationTableStatistics", "ResourceNotFoundFault", ReplicationConfigArn=arn)
    rid = arn.rsplit(":", 1)[1]
    again = dms.config("c1", src, tgt, ResourceIdentifier=rid)["ReplicationConfigArn"]
    assert again == arn
    assert dms("DescribeReplicationTableStatistics", ReplicationConfigArn=arn)["ReplicationTableStatistics"] == []
    # the task's rows are untouched
    assert dms("DescribeTableStatistics", ReplicationTaskArn=task_arn)["TableStatistics"] == task_rows


def test_replication_config_lifecycle(url, dms, world):
    src, tgt, _ = world
    cfg = dms.config("cfg1", src, tgt, Tags=[{"Key": "team", "Value": "data"}])
    arn = cfg["ReplicationConfigArn"]
    assert ":replication-config:" in arn
    assert cfg["ComputeConfig"]["MaxCapacityUnits"] == 4
    got = dms("DescribeReplicationConfigs", Filters=[{"Name": "replication-config-id", "Values": ["cfg1"]}])
    assert [c["ReplicationConfigArn"] for c in got["ReplicationConfigs"]] == [arn]
    rep = dms.replication(arn)
    assert rep["Status"] == "created" and rep["ReplicationConfigIdentifier"] == "cfg1"

    m = dms("ModifyReplicationConfig", ReplicationConfigArn=arn, ComputeConfig={"MaxCapacityUnits": 8},
            ReplicationConfigIdentifier="cfg1b")["ReplicationConfig"]
    assert m["ComputeConfig"]["MaxCapacityUnits"] == 8 and m["ComputeConfig"]["MinCapacityUnits"] == 1
    assert m["ReplicationConfigIdentifier"] == "cfg1b"

    r = dms("StartReplication", ReplicationConfigArn=arn, StartReplicationType="start-replication")
    assert r["Replication"]["Status"] == "initializing"
    seen = [dms.replication(arn)["Status"] for _ in range(7)]
    assert seen == ["preparing_metadata_resources", "testing_connection", "fetching_metadata",
                    "calculating_capacity", "provisioning_capacity", "replication_starting", "running"]
    rep = dms.replication(arn)
    assert rep["StartReplicationType"] == "start-replication"
    assert rep["ProvisionData"]["ProvisionState"] == "provisioned"
    assert isinstance(rep["ReplicationStats"]["StartDate"], float)

    dms.error("ModifyReplicationConfig", "InvalidResourceStateFault", ReplicationConfigArn=arn,
              ReplicationType="cdc")
    dms.error("DeleteReplicationConfig", "InvalidResourceStateFault", ReplicationConfigArn=arn)
    dms.error("StartReplication", "InvalidResourceStateFault", ReplicationConfigArn=arn,
              StartReplicationType="resume-processing")
    dms.error("DeleteEndpoint", "InvalidResourceStateFault", EndpointArn=src["EndpointArn"])

    assert dms("StopReplication", ReplicationConfigArn=arn)["Replication"]["Status"] == "stopping"
    rep = dms.replication(arn)
    assert rep["Status"] == "stopped" and isinstance(rep["ReplicationLastStopTime"], float)
    dms.error("StopReplication", "InvalidResourceStateFault", ReplicationConfigArn=arn)

    set_transition(url, "dms::replication", {"progression": "immediate"})
    dms("StartReplication", ReplicationConfigArn=arn, StartReplicationType="resume-processing")
    assert dms.replication(arn)["Status"] == "running"
    dms("StopReplication", ReplicationConfigArn=arn)

    deleted = dms("DeleteReplicationConfig", ReplicationConfigArn=arn)["ReplicationConfig"]
    assert deleted["ReplicationConfigArn"] == arn
    assert dms("DescribeReplicationConfigs")["ReplicationConfigs"] == []
    assert dms("DescribeReplications")["Replications"] == []
    dms.error("DeleteReplicationConfig", "ResourceNotFoundFault", ReplicationConfigArn=arn)


def test_replication_config_validation(dms, world):
    src, tgt, _ = world
    base = dict(ReplicationConfigIdentifier="c", SourceEndpointArn=src["EndpointArn"],
                TargetEndpointArn=tgt["EndpointArn"], ReplicationType="cdc", TableMappings=SELECT_ALL,
                ComputeConfig={"MaxCapacityUnits": 2})
    dms.error("CreateReplicationConfig", "InvalidParameterValueException", **{**base, "ComputeConfig": {}})
    dms.error("CreateReplicationConfig", "InvalidParameterValueException",
              **{**base, "ComputeConfig": {"MaxCapacityUnits": 3}})
    dms.error("CreateReplicationConfig", "InvalidParameterCombinationException",
              **{**base, "ComputeConfig": {"MaxCapacityUnits": 2, "MinCapacityUnits": 4}})
    dms.error("CreateReplicationConfig", "InvalidParameterValueException", **{**base, "ReplicationType": "full"})
    dms.error("CreateReplicationConfig", "ResourceNotFoundFault",
              **{**base, "ComputeConfig": {"MaxCapacityUnits": 2, "ReplicationSubnetGroupId": "nope"}})
    dms.error("CreateReplicationConfig", "InvalidParameterCombinationException",
              **{**base, "SourceEndpointArn": tgt["EndpointArn"]})
    dms("CreateReplicationConfig", **base)
    dms.error("CreateReplicationConfig", "ResourceAlreadyExistsFault", **base)
    arn = dms("DescribeReplicationConfigs")["ReplicationConfigs"][0]["ReplicationConfigArn"]
    dms.error("StartReplication", "InvalidParameterValueException", ReplicationConfigArn=arn,
              StartReplicationType="go")
    full = dms.config("full", src, tgt, ReplicationType="full-load")
    dms.error("StartReplication", "InvalidParameterCombinationException",
              ReplicationConfigArn=full["ReplicationConfigArn"], StartReplicationType="resume-processing")


def test_tags_on_every_resource_type(dms, world):
    src, tgt, inst = world
    task = dms.task("t1", src, tgt, inst)
    cfg = dms.config("c1", src, tgt)
    dms("CreateReplicationSubnetGroup", ReplicationSubnetGroupIdentifier="sg1",
        ReplicationSubnetGroupDescription="d", SubnetIds=["subnet-1", "subnet-2"],
        Tags=[{"Key": "created", "Value": "yes"}])
    sg_arn = "arn:aws:dms:us-east-1:123456789012:subgrp:sg1"
    arns = [src["EndpointArn"], inst["ReplicationInstanceArn"], task["ReplicationTaskArn"],
            cfg["ReplicationConfigArn"], sg_arn]
    for i, arn in enumerate(arns):
        dms("AddTagsToResource", ResourceArn=arn, Tags=[{"Key": "k", "Value": str(i)}, {"Key": "drop", "Value": "x"}])
        dms("RemoveTagsFromResource", ResourceArn=arn, TagKeys=["drop"])
        tags = dms("ListTagsForResource", ResourceArn=arn)["TagList"]
        assert {t["Key"]: t["Value"] for t in tags if t["Key"] != "created"} == {"k": str(i)}
    assert {"Key": "created", "Value": "yes", "ResourceArn": sg_arn} in \
        dms("ListTagsForResource", ResourceArn=sg_arn)["TagList"]
    listed = dms("ListTagsForResource", ResourceArnList=arns)["TagList"]
    assert {(t["ResourceArn"], t["Key"]) for t in listed if t["Key"] == "k"} == {(a, "k") for a in arns}
    missing = "arn:aws:dms:us-east-1:123456789012:endpoint:NOPE"
    dms.error("AddTagsToResource", "ResourceNotFoundFault", ResourceArn=missing, Tags=[{"Key": "a", "Value": "b"}])
    dms.error("ListTagsForResource", "ResourceNotFoundFault", ResourceArn=missing)
    dms.error("ListTagsForResource", "InvalidParameterValueException", ResourceArn="not-an-arn")
    dms.error("ListTagsForResource", "InvalidParameterCombinationException", ResourceArn=arns[0],
              ResourceArnList=arns)


# -------------------------------------------------------------- pagination

def _all_pages(dms, op, key, max_records, **kw):
    items, marker, pages = [], None, 0
    while True:
        body = dict(kw, MaxRecords=max_records)
        if marker:
            body["Marker"] = marker
        doc = dms(op, **body)
        items += doc[key]
        pages += 1
        marker = doc.get("Marker")
        if not marker:
            return items, pages
        assert len(doc[key]) == max_records


def test_pagination(dms, world):
    src, tgt, inst = world
    for i in range(44):
        dms.endpoint(f"src{i}")
        dms.config(f"cfg{i}", src, tgt)
    for i in range(21):
        dms.task(f"task{i}", src, tgt, inst)
        dms.instance(f"inst{i}")
        dms("CreateReplicationSubnetGroup", ReplicationSubnetGroupIdentifier=f"sg{i}",
            ReplicationSubnetGroupDescription="d", SubnetIds=["subnet-1"])
    cases = [
        ("DescribeEndpoints", "Endpoints", "EndpointArn", 46),
        ("DescribeReplicationConfigs", "ReplicationConfigs", "ReplicationConfigArn", 44),
        ("DescribeReplications", "Replications", "ReplicationConfigArn", 44),
        ("DescribeReplicationTasks", "ReplicationTasks", "ReplicationTaskArn", 21),
        ("DescribeReplicationInstances", "ReplicationInstances", "ReplicationInstanceArn", 22),
        ("DescribeReplicationSubnetGroups", "ReplicationSubnetGroups", "ReplicationSubnetGroupIdentifier", 21),
    ]
    for op, key, ident, total in cases:
        items, pages = _all_pages(dms, op, key, 20)
        ids = [i[ident] for i in items]
        assert len(ids) == total and len(set(ids)) == total, op
        assert pages == -(-total // 20), op
        first = dms(op)  # default MaxRecords 100: everything, no Marker
        assert len(first[key]) == total and "Marker" not in first, op
    dms.error("DescribeEndpoints", "InvalidParameterValueException", MaxRecords=10)
    dms.error("DescribeEndpoints", "InvalidParameterValueException", MaxRecords=101)
    dms.error("DescribeEndpoints", "InvalidParameterValueException", Marker="garbage")
    # a filtered listing pages too
    items, _ = _all_pages(dms, "DescribeEndpoints", "Endpoints", 20,
                          Filters=[{"Name": "endpoint-type", "Values": ["source"]}])
    assert len(items) == 45


def test_filtered_describe_without_match_is_not_found(dms):
    assert dms("DescribeEndpoints")["Endpoints"] == []
    assert dms("DescribeReplicationTasks")["ReplicationTasks"] == []
    dms.error("DescribeEndpoints", "ResourceNotFoundFault", Filters=[{"Name": "endpoint-id", "Values": ["x"]}])
    dms.error("DescribeReplicationTasks", "ResourceNotFoundFault",
              Filters=[{"Name": "replication-task-id", "Values": ["x"]}])
    dms.error("DescribeReplicationConfigs", "ResourceNotFoundFault",
              Filters=[{"Name": "replication-config-id", "Values": ["x"]}])
    dms.error("DescribeEndpoints", "InvalidParameterValueException", Filters=[{"Name": "colour", "Values": ["x"]}])


# ---------------------------------------------- duplicates, invalid, in use

def test_duplicates_are_rejected(dms, world):
    src, tgt, inst = world
    dms.error("CreateEndpoint", "ResourceAlreadyExistsFault", EndpointIdentifier="src",
              EndpointType="source", EngineName="mysql")
    assert len(dms("DescribeEndpoints")["Endpoints"]) == 2  # the first one survived
    dms.task("t1", src, tgt, inst)
    dms.error("CreateReplicationTask", "ResourceAlreadyExistsFault", ReplicationTaskIdentifier="t1",
              SourceEndpointArn=src["EndpointArn"], TargetEndpointArn=tgt["EndpointArn"],
              ReplicationInstanceArn=inst["ReplicationInstanceArn"], MigrationType="cdc",
              TableMappings=SELECT_ALL)
    dms.error("CreateReplicationInstance", "ResourceAlreadyExistsFault", ReplicationInstanceIdentifier="INST",
              ReplicationInstanceClass="dms.t3.micro")  # identifiers are stored lowercase
    dms("CreateReplicationSubnetGroup", ReplicationSubnetGroupIdentifier="g", ReplicationSubnetGroupDescription="d",
        SubnetIds=["subnet-1"])
    dms.error("CreateReplicationSubnetGroup", "ResourceAlreadyExistsFault", ReplicationSubnetGroupIdentifier="g",
              ReplicationSubnetGroupDescription="d", SubnetIds=["subnet-1"])


def test_invalid_input_is_rejected(dms, world):
    src, tgt, inst = world
    base = dict(ReplicationTaskIdentifier="t1", SourceEndpointArn=src["EndpointArn"],
                TargetEndpointArn=tgt["EndpointArn"], ReplicationInstanceArn=inst["ReplicationInstanceArn"],
                MigrationType="full-load", TableMappings=SELECT_ALL)
    bad = {
        "InvalidParameterValueException": [
            {"SourceEndpointArn": "not-an-arn"},
            {"ReplicationInstanceArn": "arn:aws:dms:us-east-1:1:rep:X"},
            {"MigrationType": "full"},
            {"TableMappings": "{not json"},
            {"TableMappings": json.dumps({"rules": []})},
            {"TableMappings": json.dumps({"rules": [{"rule-type": "transformation", "rule-id": "1",
                                                     "rule-name": "x"}]})},
            {"ReplicationTaskSettings": "[1"},
            {"ReplicationTaskIdentifier": "1starts-with-digit"},
            {"ReplicationTaskIdentifier": "double--hyphen"},
        ],
        "ResourceNotFoundFault": [
            {"SourceEndpointArn": "arn:aws:dms:us-east-1:123456789012:endpoint:NOPE"},
            {"ReplicationInstanceArn": "arn:aws:dms:us-east-1:123456789012:rep:NOPE"},
        ],
        "InvalidParameterCombinationException": [
            {"SourceEndpointArn": tgt["EndpointArn"]},
        ],
    }
    for fault, overrides in bad.items():
        for o in overrides:
            msg = dms.error("CreateReplicationTask", fault, **{**base, **o})
            assert msg, o
    assert dms("DescribeReplicationTasks")["ReplicationTasks"] == []
    dms.error("CreateEndpoint", "InvalidParameterValueException", EndpointIdentifier="bad_id",
              EndpointType="source", EngineName="mysql")
    dms.error("DeleteEndpoint", "InvalidParameterValueException", EndpointArn="nope")


def test_in_use_resources_cannot_be_deleted(dms, world):
    src, tgt, inst = world
    sg = dms("CreateReplicationSubnetGroup", ReplicationSubnetGroupIdentifier="sg", ReplicationSubnetGroupDescription="d",
             SubnetIds=["subnet-1"])["ReplicationSubnetGroup"]
    inst2 = dms.instance("inst2", ReplicationSubnetGroupIdentifier=sg["ReplicationSubnetGroupIdentifier"])
    task = dms.task("t1", src, tgt, inst)
    dms.error("DeleteEndpoint", "InvalidResourceStateFault", EndpointArn=src["EndpointArn"])
    dms.error("DeleteEndpoint", "InvalidResourceStateFault", EndpointArn=tgt["EndpointArn"])
    dms.error("DeleteReplicationInstance", "InvalidResourceStateFault",
              ReplicationInstanceArn=inst["ReplicationInstanceArn"])
    dms.error("DeleteReplicationSubnetGroup", "InvalidResourceStateFault", ReplicationSubnetGroupIdentifier="sg")
    dms.task_status(task["ReplicationTaskArn"])
    dms("DeleteReplicationTask", ReplicationTaskArn=task["ReplicationTaskArn"])
    dms("DeleteEndpoint", EndpointArn=src["EndpointArn"])
    dms("DeleteReplicationInstance", ReplicationInstanceArn=inst["ReplicationInstanceArn"])
    dms("DeleteReplicationInstance", ReplicationInstanceArn=inst2["ReplicationInstanceArn"])
    dms("DeleteReplicationSubnetGroup", ReplicationSubnetGroupIdentifier="sg")


def test_error_wire_format(dms):
    r = dms.raw("DeleteEndpoint", {"EndpointArn": "arn:aws:dms:us-east-1:123456789012:endpoint:NOPE"})
    assert r.status_code == 400
    assert r.headers["x-amzn-ErrorType"] == "ResourceNotFoundFault"
    assert r.headers["Content-Type"].startswith("application/x-amz-json-1.1")
    assert set(r.json()) == {"__type", "message"}


def test_subnet_group_reports_given_subnets(dms):
    g = dms("CreateReplicationSubnetGroup", ReplicationSubnetGroupIdentifier="MyGroup",
            ReplicationSubnetGroupDescription="d", SubnetIds=["subnet-a", "subnet-b"])["ReplicationSubnetGroup"]
    assert g["ReplicationSubnetGroupIdentifier"] == "mygroup"
    assert [s["SubnetIdentifier"] for s in g["Subnets"]] == ["subnet-a", "subnet-b"]
    g = dms("ModifyReplicationSubnetGroup", ReplicationSubnetGroupIdentifier="mygroup",
            SubnetIds=["subnet-c"])["ReplicationSubnetGroup"]
    assert [s["SubnetIdentifier"] for s in g["Subnets"]] == ["subnet-c"]


# -------------------------------------------------- fault injection, calls

def test_fault_injection(url, dms):
    r = requests.post(url + "/_dmsctl/faults", json={"operation": "CreateEndpoint", "count": 2,
                                                     "error": "ThrottlingException", "message": "slow down"})
    assert r.status_code == 201
    assert requests.get(url + "/_dmsctl/faults").json()["faults"][0]["remaining"] == 2
    for _ in range(2):
        assert dms.error("CreateEndpoint", "ThrottlingException", EndpointIdentifier="e",
                         EndpointType="source", EngineName="mysql") == "slow down"
    dms.endpoint("e")  # third call goes through
    assert requests.get(url + "/_dmsctl/faults").json()["faults"] == []

    requests.post(url + "/_dmsctl/faults", json={"operation": "dms:DescribeEndpoints", "error": "InternalFailure",
                                                 "status": 500, "count": 0})
    for _ in range(3):
        assert dms.raw("DescribeEndpoints").status_code == 500
    requests.delete(url + "/_dmsctl/faults")
    dms("DescribeEndpoints")

    requests.post(url + "/_dmsctl/faults", json={"operation": "DescribeEndpoints", "delay_ms": 300})
    t0 = time.monotonic()
    dms("DescribeEndpoints")
    assert time.monotonic() - t0 >= 0.3

    # IAM (query protocol, XML errors) and CloudWatch Logs (JSON 1.1)
    requests.post(url + "/_dmsctl/faults", json=[{"operation": "iam:CreateRole", "error": "Throttling"},
                                                 {"operation": "CreateLogGroup", "error": "ThrottlingException"}])
    r = requests.post(url + "/", data={"Action": "CreateRole", "Version": "2010-05-08", "RoleName": "r",
                                       "AssumeRolePolicyDocument": "{}"},
                      headers={"Authorization": AUTH.format(svc="iam")})
    assert r.status_code == 400 and "<Code>Throttling</Code>" in r.text
    r = dms.raw("CreateLogGroup", {"logGroupName": "g"}, service="logs", target_prefix="Logs_20140328")
    assert r.status_code == 400 and r.json()["__type"] == "ThrottlingException"
    r = dms.raw("CreateLogGroup", {"logGroupName": "g"}, service="logs", target_prefix="Logs_20140328")
    assert r.status_code == 200

    assert requests.post(url + "/_dmsctl/faults", json={"count": 1}).status_code == 400


def test_fault_after_the_effect(url, dms):
    # The call runs, then its answer is lost: the retry meets its own effect.
    r = requests.post(url + "/_dmsctl/faults", json={"operation": "dms:CreateEndpoint", "error": "InternalFailure",
                                                     "status": 500, "after": True})
    assert r.status_code == 201 and r.json()["faults"][0]["after"] is True
    assert dms.raw("CreateEndpoint", {"EndpointIdentifier": "lost", "EndpointType": "source",
                                      "EngineName": "mysql"}).status_code == 500
    assert dms.error("CreateEndpoint", "ResourceAlreadyExistsFault", EndpointIdentifier="lost",
                     EndpointType="source", EngineName="mysql")
    assert [e["EndpointIdentifier"] for e in dms("DescribeEndpoints")["Endpoints"]] == ["lost"]
    assert requests.post(url + "/_dmsctl/faults", json={"operation": "CreateEndpoint",
                                                        "after": True}).status_code == 400


def test_chaos_is_seeded_and_counts_what_it_injected(url, dms):
    def run(seed):
        requests.post(url + "/_dmsctl/chaos", json={"rate": 0.5, "seed": seed}).raise_for_status()
        codes = [dms.raw("DescribeEndpoints").status_code for _ in range(40)]
        return codes, requests.get(url + "/_dmsctl/chaos").json()["chaos"]["injected"]

    first, injected = run(7)
    again, _ = run(7)
    assert first == again, "the same seed injects the same faults"
    assert set(first) == {200, 400, 500}
    assert injected["throttled"] == first.count(400)
    assert injected["500 before the effect"] + injected["500 after the effect"] == first.count(500)
    assert abs(injected["500 before the effect"] - injected["500 after the effect"]) <= 1
    requests.post(url + "/", data={"Action": "ListRoles", "Version": "2010-05-08"},
                  headers={"Authorization": AUTH.format(svc="iam")}).raise_for_status()
    assert requests.delete(url + "/_dmsctl/chaos").json() == {"chaos": None}
    assert all(dms.raw("DescribeEndpoints").status_code == 200 for _ in range(10))
    assert requests.post(url + "/_dmsctl/chaos", json={"rate": 2}).status_code == 400


def test_call_counting(url, dms):
    requests.delete(url + "/_dmsctl/calls")
    dms.endpoint("a")
    dms("DescribeEndpoints")
    dms("DescribeEndpoints")
    requests.post(url + "/", data={"Action": "ListRoles", "Version": "2010-05-08"},
                  headers={"Authorization": AUTH.format(svc="iam")}).raise_for_status()
    calls = requests.get(url + "/_dmsctl/calls").json()
    assert calls == {"total": 4, "calls": {"dms:CreateEndpoint": 1, "dms:DescribeEndpoints": 2,
                                           "iam:ListRoles": 1}}
    requests.delete(url + "/_dmsctl/calls")
    assert requests.get(url + "/_dmsctl/calls").json() == {"total": 0, "calls": {}}


def test_iam_managed_policies_are_loaded(url):
    r = requests.post(url + "/", data={"Action": "GetPolicy", "Version": "2010-05-08",
                                       "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonDMSVPCManagementRole"},
                      headers={"Authorization": AUTH.format(svc="iam")})
    assert r.status_code == 200, r.text


def test_modify_replication_instance(dms, world):
    _, _, inst = world
    arn = inst["ReplicationInstanceArn"]
    m = dms("ModifyReplicationInstance", ReplicationInstanceArn=arn, AllocatedStorage=100,
            ReplicationInstanceIdentifier="Renamed", ApplyImmediately=True)["ReplicationInstance"]
    assert m["ReplicationInstanceStatus"] == "modifying" and m["ReplicationInstanceIdentifier"] == "renamed"
    got = dms("DescribeReplicationInstances")["ReplicationInstances"][0]
    assert got["ReplicationInstanceStatus"] == "available" and got["AllocatedStorage"] == 100
    dms.instance("other")
    dms.error("ModifyReplicationInstance", "ResourceAlreadyExistsFault", ReplicationInstanceArn=arn,
              ReplicationInstanceIdentifier="other")


def test_unimplemented_operation_is_a_clear_error(dms):
    r = dms.raw("DescribeOrderableReplicationInstances", {})
    assert r.status_code == 501
    assert r.json()["__type"] == "NotImplemented" and r.headers["x-amzn-ErrorType"] == "NotImplemented"



def _cbor_call(url, operation, params):
    """A CloudWatch call as the Rust SDK sends it: Smithy RPC v2 CBOR."""
    import cbor2

    r = requests.post(
        f"{url}/service/GraniteServiceVersion20100801/operation/{operation}",
        data=cbor2.dumps(params, datetime_as_timestamp=True),
        headers={"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
                 "Accept": "application/cbor",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=t/20260101/eu-central-1/"
                                  "monitoring/aws4_request, SignedHeaders=host, Signature=x"})
    assert r.headers["Content-Type"] == "application/cbor"
    assert r.headers["smithy-protocol"] == "rpc-v2-cbor"
    return r.status_code, r.content, cbor2.loads(r.content)


def test_cloudwatch_speaks_cbor(url):
    """The Rust SDK calls CloudWatch with Smithy RPC v2 CBOR: the bridge carries requests to
    moto and typed answers back (timestamps as tag 1 over a double, doubles as floats)."""
    import datetime

    import cbor2

    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    dims = [{"Name": "ReplicationInstanceIdentifier", "Value": "i"},
            {"Name": "ReplicationTaskIdentifier", "Value": "TASKID"}]
    status, _, _ = _cbor_call(url, "PutMetricData", {"Namespace": "AWS/DMS", "MetricData": [
        {"MetricName": "CDCLatencySource", "Dimensions": dims, "Value": 4.0, "Timestamp": now}]})
    assert status == 200
    status, _, doc = _cbor_call(url, "ListMetrics",
                                {"Namespace": "AWS/DMS", "MetricName": "CDCLatencySource"})
    assert status == 200
    assert {tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"]))
            for m in doc["Metrics"]} == {
        (("ReplicationInstanceIdentifier", "i"), ("ReplicationTaskIdentifier", "TASKID"))}
    status, raw, doc = _cbor_call(url, "GetMetricData", {
        "MetricDataQueries": [{"Id": "m0", "MetricStat": {
            "Metric": {"Namespace": "AWS/DMS", "MetricName": "CDCLatencySource", "Dimensions": dims},
            "Period": 60, "Stat": "Maximum"}}],
        "StartTime": now - datetime.timedelta(minutes=5),
        "EndTime": now + datetime.timedelta(minutes=1)})
    assert status == 200
    result = doc["MetricDataResults"][0]
    assert result["Values"] == [4.0]
    assert isinstance(result["Timestamps"][0], datetime.datetime)
    # Tag 1 (0xc1) over a float64 (0xfb): the encoding smithy clients expect.
    assert b"\xc1\xfb" + cbor2.dumps(result["Timestamps"][0].timestamp())[1:] in raw
    calls = requests.get(url + "/_dmsctl/calls").json()["calls"]
    assert calls["cloudwatch:PutMetricData"] == 1 and calls["cloudwatch:GetMetricData"] == 1


def test_cloudwatch_faults_answer_in_cbor(url):
    requests.post(url + "/_dmsctl/faults", json={
        "operation": "cloudwatch:ListMetrics", "error": "AccessDenied", "message": "no"}
    ).raise_for_status()
    status, _, doc = _cbor_call(url, "ListMetrics", {"Namespace": "AWS/DMS"})
    assert status == 400
    assert doc == {"__type": "AccessDenied", "message": "no"}
