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
    for model in ("dms::replicationtask", "dms::replication", "dms::replicationinstance",
                  "dms::connection", "dms::assessmentrun", "dms::replicationtaskmove",
                  "dms::eventsubscription"):
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
        for k, v in value.items():
            check_shape(v, shape.value, f"{path}[{k!r}]")
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


# ------------------------------------------- cost: Cost Explorer, Price List

CE_MODEL = botocore.session.Session().get_service_model("ce")
PRICING_MODEL = botocore.session.Session().get_service_model("pricing")


class JsonService:
    """An AWS JSON 1.1 service over raw HTTP; success answers are shape-checked
    against the service's botocore model."""

    def __init__(self, url, signing_name, model):
        self.url, self.signing_name, self.model = url, signing_name, model

    def raw(self, op, body=None, data=None):
        return requests.post(self.url + "/", data=data if data is not None else json.dumps(body or {}), headers={
            "X-Amz-Target": f"{self.model.metadata['targetPrefix']}.{op}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": AUTH.format(svc=self.signing_name),
        })

    def __call__(self, op, **body):
        r = self.raw(op, body)
        assert r.status_code == 200, f"{op}: {r.status_code} {r.text[:500]}"
        assert r.headers["Content-Type"].startswith("application/x-amz-json-1.1")
        doc = r.json()
        check_shape(doc, self.model.operation_model(op).output_shape, op)
        return doc

    def error(self, op, expected_type, status=400, **body):
        r = self.raw(op, body)
        assert r.status_code == status, f"{op}: expected {status} {expected_type}, got {r.status_code} {r.text[:300]}"
        doc = r.json()
        assert doc["__type"] == expected_type, doc
        assert r.headers["x-amzn-ErrorType"] == expected_type
        assert r.headers["Content-Type"].startswith("application/x-amz-json-1.1")
        assert doc["message"]
        return doc["message"]


@pytest.fixture
def ce(url):
    return JsonService(url, "ce", CE_MODEL)


@pytest.fixture
def pricing(url):
    return JsonService(url, "pricing", PRICING_MODEL)


def _days_ago(n):
    import datetime

    return (datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=n)).isoformat()


def _queue_cost_results(url, results, **extra):
    r = requests.post(url + "/moto-api/static/ce/cost-and-usage-results", json={"results": results, **extra})
    assert r.status_code == 201, r.text


def _cost_request(**kw):
    body = {"TimePeriod": {"Start": _days_ago(3), "End": _days_ago(1)}, "Granularity": "DAILY",
            "Metrics": ["UnblendedCost"]}
    body.update(kw)
    return body


def test_ce_get_cost_and_usage_answers_from_the_queue(url, ce):
    day = {"Start": _days_ago(3), "End": _days_ago(2)}
    _queue_cost_results(url, [
        {"ResultsByTime": [{"TimePeriod": day, "Estimated": False, "Total": {},
                            "Groups": [{"Keys": ["dmsctl:stack$shop"],
                                        # a number in the queue is a string on the wire, as AWS writes it
                                        "Metrics": {"UnblendedCost": {"Amount": 12.34, "Unit": "USD"}}},
                                       {"Keys": ["dmsctl:stack$"],
                                        "Metrics": {"UnblendedCost": {"Amount": "0.5", "Unit": "USD"}}}]}]},
        {"ResultsByTime": [{"TimePeriod": day, "Total": {"UnblendedCost": {"Amount": 7, "Unit": "USD"}},
                            "Estimated": True}]},
    ])
    grouped = _cost_request(GroupBy=[{"Type": "TAG", "Key": "dmsctl:stack"}])
    doc = ce("GetCostAndUsage", **grouped)
    groups = doc["ResultsByTime"][0]["Groups"]
    assert groups[0]["Metrics"]["UnblendedCost"] == {"Amount": "12.34", "Unit": "USD"}
    assert groups[1]["Metrics"]["UnblendedCost"] == {"Amount": "0.5", "Unit": "USD"}
    assert doc["ResultsByTime"][0]["TimePeriod"] == day
    # "The groups that are specified by the ... GroupBy parameters in the request."
    assert doc["GroupDefinitions"] == [{"Type": "TAG", "Key": "dmsctl:stack"}]
    assert doc["DimensionValueAttributes"] == [] and "NextPageToken" not in doc
    # the same request again gets the same result, however its JSON is spelled
    assert ce("GetCostAndUsage", **grouped) == doc
    assert ce.raw("GetCostAndUsage", data=json.dumps(grouped, indent=2)).json() == doc
    # another request takes the next result; once the queue is empty, nothing
    ungrouped = ce("GetCostAndUsage", **_cost_request())
    assert ungrouped["ResultsByTime"][0]["Total"]["UnblendedCost"] == {"Amount": "7", "Unit": "USD"}
    assert ungrouped["ResultsByTime"][0]["Estimated"] is True and "GroupDefinitions" not in ungrouped
    assert ce("GetCostAndUsage", **_cost_request(Granularity="MONTHLY")) == {
        "ResultsByTime": [], "DimensionValueAttributes": []}


def test_ce_queue_is_per_account(url, ce):
    _queue_cost_results(url, [{"ResultsByTime": [{"TimePeriod": {"Start": _days_ago(2), "End": _days_ago(1)},
                                                  "Total": {"UnblendedCost": {"Amount": "1", "Unit": "USD"}}}]}],
                        account_id="111111111111")
    assert ce("GetCostAndUsage", **_cost_request())["ResultsByTime"] == []  # account 123456789012


def test_ce_get_cost_and_usage_pages_with_the_token(url, ce):
    d1, d2 = {"Start": _days_ago(3), "End": _days_ago(2)}, {"Start": _days_ago(2), "End": _days_ago(1)}
    _queue_cost_results(url, [
        {"ResultsByTime": [{"TimePeriod": d1, "Total": {"UnblendedCost": {"Amount": "1.5", "Unit": "USD"}}}],
         "NextPageToken": "p2"},
        {"ResultsByTime": [{"TimePeriod": d2, "Total": {"UnblendedCost": {"Amount": "2.5", "Unit": "USD"}}}]},
    ])
    body = _cost_request()
    page1 = ce("GetCostAndUsage", **body)
    assert page1["NextPageToken"] == "p2" and page1["ResultsByTime"][0]["TimePeriod"] == d1
    page2 = ce("GetCostAndUsage", **body, NextPageToken="p2")
    assert page2["ResultsByTime"][0]["TimePeriod"] == d2 and "NextPageToken" not in page2
    # a retried page gets the same answer
    assert ce("GetCostAndUsage", **body, NextPageToken="p2") == page2
    assert ce("GetCostAndUsage", **body) == page1
    # a token no answer gave, or a token used with other parameters
    ce.error("GetCostAndUsage", "InvalidNextTokenException", **body, NextPageToken="p3")
    ce.error("GetCostAndUsage", "RequestChangedException", **_cost_request(Metrics=["BlendedCost"]),
             NextPageToken="p2")


def test_ce_get_cost_and_usage_validation(url, ce):
    _queue_cost_results(url, [{"ResultsByTime": [{"TimePeriod": {"Start": _days_ago(2), "End": _days_ago(1)},
                                                  "Total": {}, "Groups": [], "Estimated": False}]}])
    good = _cost_request()
    bad = [
        {"TimePeriod": None},
        {"TimePeriod": {"Start": _days_ago(3)}},
        {"TimePeriod": {"End": _days_ago(3)}},
        {"TimePeriod": {"Start": "2026/11/01", "End": _days_ago(1)}},
        {"TimePeriod": {"Start": "2026-13-01", "End": "2026-13-02"}},
        {"TimePeriod": {"Start": _days_ago(1), "End": _days_ago(1)}},  # Start < End
        {"TimePeriod": {"Start": _days_ago(1), "End": _days_ago(3)}},
        {"TimePeriod": {"Start": _days_ago(-2), "End": _days_ago(-3)}},  # start after today
        {"Granularity": None},
        {"Granularity": "WEEKLY"},
        {"Metrics": None},
        {"Metrics": []},
        {"Metrics": ["Dollars"]},
        {"GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": "a"},
                     {"Type": "TAG", "Key": "b"}]},
        {"GroupBy": [{"Type": "LABEL", "Key": "a"}]},
        {"GroupBy": [{"Type": "TAG"}]},
        {"GroupBy": [{"Type": "DIMENSION", "Key": "NOT_A_DIMENSION"}]},
    ]
    for override in bad:
        body = {k: v for k, v in {**good, **override}.items() if v is not None}
        ce.error("GetCostAndUsage", "ValidationException", **body)
    # the failed calls consumed nothing from the queue; hourly dates carry a time
    doc = ce("GetCostAndUsage", **_cost_request(
        Granularity="HOURLY", TimePeriod={"Start": _days_ago(2) + "T00:00:00Z", "End": _days_ago(2) + "T05:00:00Z"},
        GroupBy=[{"Type": "DIMENSION", "Key": "USAGE_TYPE"}, {"Type": "TAG", "Key": "dmsctl:stack"}]))
    assert len(doc["ResultsByTime"]) == 1
    assert requests.get(url + "/_dmsctl/calls").json()["calls"]["ce:GetCostAndUsage"] == len(bad) + 1


def test_ce_faults_and_calls(url, ce):
    _queue_cost_results(url, [{"ResultsByTime": [{"TimePeriod": {"Start": _days_ago(2), "End": _days_ago(1)},
                                                  "Total": {"UnblendedCost": {"Amount": "3", "Unit": "USD"}}}]}])
    requests.post(url + "/_dmsctl/faults", json={"operation": "ce:GetCostAndUsage", "count": 2,
                                                 "error": "ThrottlingException", "message": "Rate exceeded"}
                  ).raise_for_status()
    for _ in range(2):
        assert ce.error("GetCostAndUsage", "ThrottlingException", **_cost_request()) == "Rate exceeded"
    # the throttled calls never reached the queue
    doc = ce("GetCostAndUsage", **_cost_request())
    assert doc["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "3"
    requests.post(url + "/_dmsctl/faults", json={"operation": "ListCostAllocationTags",
                                                 "error": "LimitExceededException"}).raise_for_status()
    ce.error("ListCostAllocationTags", "LimitExceededException")
    assert requests.get(url + "/_dmsctl/calls").json()["calls"] == {
        "ce:GetCostAndUsage": 3, "ce:ListCostAllocationTags": 1}
    # what moto lacks is a clear 501, not an HTML 500
    ce.error("GetDimensionValues", "NotImplemented", status=501)


def test_ce_reset_clears_the_queue_and_the_tags(url, ce):
    _queue_cost_results(url, [{"ResultsByTime": [{"TimePeriod": {"Start": _days_ago(2), "End": _days_ago(1)}}]}])
    requests.put(url + "/_dmsctl/cost-allocation-tags",
                 json=[{"TagKey": "dmsctl:stack", "Type": "UserDefined", "Status": "Active"}]).raise_for_status()
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert ce("GetCostAndUsage", **_cost_request())["ResultsByTime"] == []
    assert ce("ListCostAllocationTags") == {"CostAllocationTags": []}
    assert requests.get(url + "/_dmsctl/cost-allocation-tags").json() == []
    # a reset of other services leaves ce alone
    _queue_cost_results(url, [{"ResultsByTime": [{"TimePeriod": {"Start": _days_ago(2), "End": _days_ago(1)}}]}])
    requests.post(url + "/_dmsctl/reset", json={"services": ["dms"]}).raise_for_status()
    assert len(ce("GetCostAndUsage", **_cost_request(Granularity="MONTHLY"))["ResultsByTime"]) == 1


COST_TAGS = [
    {"TagKey": "dmsctl:stack", "Type": "UserDefined", "Status": "Active",
     "LastUpdatedDate": "2026-10-01T12:00:00Z", "LastUsedDate": "2026-11-01T00:00:00Z"},
    {"TagKey": "dmsctl:name", "Type": "UserDefined", "Status": "Inactive",
     "LastUpdatedDate": "2026-10-02T12:00:00+00:00"},
    {"TagKey": "team", "Type": "UserDefined", "Status": "Active"},
    {"TagKey": "aws:createdBy", "Type": "AWSGenerated", "Status": "Inactive"},
    {"TagKey": "env", "Type": "UserDefined", "Status": "Active"},
]


def test_list_cost_allocation_tags(url, ce):
    assert ce("ListCostAllocationTags") == {"CostAllocationTags": []}
    r = requests.put(url + "/_dmsctl/cost-allocation-tags", json=COST_TAGS)
    assert r.status_code == 200, r.text
    assert requests.get(url + "/_dmsctl/cost-allocation-tags").json() == COST_TAGS
    assert ce("ListCostAllocationTags") == {"CostAllocationTags": COST_TAGS}

    def keys(**kw):
        return [t["TagKey"] for t in ce("ListCostAllocationTags", **kw)["CostAllocationTags"]]
    assert keys(Status="Active") == ["dmsctl:stack", "team", "env"]
    assert keys(Type="AWSGenerated") == ["aws:createdBy"]
    assert keys(TagKeys=["dmsctl:stack", "dmsctl:name", "nope"]) == ["dmsctl:stack", "dmsctl:name"]
    assert keys(TagKeys=["dmsctl:stack", "dmsctl:name"], Status="Inactive") == ["dmsctl:name"]

    # paging: MaxResults 1..1000 (default 100), NextToken only while more remain
    seen, token, pages = [], None, 0
    while True:
        doc = ce("ListCostAllocationTags", Type="UserDefined", MaxResults=2, **({"NextToken": token} if token else {}))
        seen += [t["TagKey"] for t in doc["CostAllocationTags"]]
        pages += 1
        token = doc.get("NextToken")
        if not token:
            break
    assert seen == ["dmsctl:stack", "dmsctl:name", "team", "env"] and pages == 2
    first = ce("ListCostAllocationTags", MaxResults=2)
    ce.error("ListCostAllocationTags", "InvalidNextTokenException", NextToken="garbage")
    ce.error("ListCostAllocationTags", "InvalidNextTokenException", NextToken=first["NextToken"],
             Status="Active")  # a token of another query

    for bad in ({"Status": "Enabled"}, {"Type": "Custom"}, {"TagKeys": []}, {"TagKeys": ["k"] * 101},
                {"TagKeys": "dmsctl:stack"}, {"MaxResults": 0}, {"MaxResults": 1001}, {"MaxResults": "5"}):
        ce.error("ListCostAllocationTags", "ValidationException", **bad)

    # seeding replaces the whole list; bad seeds are refused and change nothing
    for bad in ({"TagKey": "x"}, [{"TagKey": "x", "Type": "UserDefined"}],
                [{"TagKey": "x", "Type": "Mine", "Status": "Active"}],
                [{"TagKey": "x", "Type": "UserDefined", "Status": "Active", "LastUsedDate": "2026-11-01"}],
                [{"TagKey": "x", "Type": "UserDefined", "Status": "Active", "Color": "red"}],
                [{"TagKey": "x", "Type": "UserDefined", "Status": "Active"}] * 2):
        assert requests.put(url + "/_dmsctl/cost-allocation-tags", json=bad).status_code == 400, bad
    assert keys() == [t["TagKey"] for t in COST_TAGS]
    requests.put(url + "/_dmsctl/cost-allocation-tags", json=COST_TAGS[:1]).raise_for_status()
    assert keys() == ["dmsctl:stack"]


def _price_doc(sku, instance_type, usd, family="Replication Instance", region="us-east-1",
               service="AWSDatabaseMigrationSvc", **attrs):
    term, dim = f"{sku}.JRTCKXETXF", f"{sku}.JRTCKXETXF.6YS6EN2CT7"
    return {
        "product": {"productFamily": family, "sku": sku, "attributes": {
            "servicecode": service, "regionCode": region, "instanceType": instance_type,
            "usagetype": f"USE1-InstanceUsg:dms.{instance_type}", "location": "US East (N. Virginia)",
            **attrs}},
        "serviceCode": service,
        "terms": {"OnDemand": {term: {
            "priceDimensions": {dim: {"unit": "Hrs", "pricePerUnit": {"USD": usd},
                                      "description": f"${usd} per hour for dms.{instance_type}",
                                      "beginRange": "0", "endRange": "Inf", "rateCode": dim, "appliesTo": []}},
            "sku": sku, "effectiveDate": "2026-11-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
            "termAttributes": {}}}},
        "version": "20261101000000", "publicationDate": "2026-11-01T00:00:00Z",
    }


PRICE_DOCS = [
    _price_doc("AAA", "t3.medium", "0.0780000000"),
    _price_doc("BBB", "t3.large", "0.1540000000"),
    _price_doc("CCC", "r5.large", "0.2520000000", availabilityZone="Multiple"),
    _price_doc("DDD", "t3.medium", "0.0900000000", region="eu-central-1"),
    _price_doc("EEE", "dcu", "0.1000000000", family="Serverless"),
    _price_doc("FFF", "m5.large", "0.0960000000", service="AmazonEC2"),
]


def test_pricing_get_products(url, pricing):
    r = requests.put(url + "/_dmsctl/price-list", json=PRICE_DOCS)
    assert r.status_code == 200, r.text
    assert requests.get(url + "/_dmsctl/price-list").json() == PRICE_DOCS

    def skus(filters=(), service="AWSDatabaseMigrationSvc", **kw):
        doc = pricing("GetProducts", ServiceCode=service, Filters=list(filters), **kw)
        assert doc["FormatVersion"] == "aws_v1"
        # PriceList entries are JSON strings, each a whole product document
        assert all(isinstance(e, str) for e in doc["PriceList"])
        return [json.loads(e)["product"]["sku"] for e in doc["PriceList"]]

    assert skus() == ["AAA", "BBB", "CCC", "DDD", "EEE"]
    doc = pricing("GetProducts", ServiceCode="AWSDatabaseMigrationSvc", FormatVersion="aws_v1",
                  Filters=[{"Type": "TERM_MATCH", "Field": "usagetype", "Value": "USE1-InstanceUsg:dms.t3.medium"},
                           {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "us-east-1"}])
    assert [json.loads(e) for e in doc["PriceList"]] == [PRICE_DOCS[0]] and "NextToken" not in doc
    # Field names are case-insensitive; values are matched exactly
    assert skus([{"Type": "EQUALS", "Field": "INSTANCETYPE", "Value": "t3.medium"}]) == ["AAA", "DDD"]
    assert skus([{"Type": "EQUALS", "Field": "instanceType", "Value": "T3.MEDIUM"}]) == []
    assert skus([{"Type": "CONTAINS", "Field": "instanceType", "Value": "t3."}]) == ["AAA", "BBB", "DDD"]
    assert skus([{"Type": "ANY_OF", "Field": "instanceType", "Value": "t3.large, r5.large"}]) == ["BBB", "CCC"]
    assert skus([{"Type": "NONE_OF", "Field": "regionCode", "Value": "eu-central-1"}]) == ["AAA", "BBB", "CCC", "EEE"]
    assert skus([{"Type": "NONE_OF", "Field": "availabilityZone", "Value": "Multiple"}]) == ["AAA", "BBB", "DDD", "EEE"]
    assert skus([{"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Serverless"}]) == ["EEE"]
    assert skus([{"Type": "TERM_MATCH", "Field": "sku", "Value": "CCC"}]) == ["CCC"]
    assert skus([{"Type": "TERM_MATCH", "Field": "ServiceCode", "Value": "AWSDatabaseMigrationSvc"}]) == \
        ["AAA", "BBB", "CCC", "DDD", "EEE"]
    assert skus([{"Type": "TERM_MATCH", "Field": "noSuchAttribute", "Value": "x"}]) == []
    assert skus(service="AmazonEC2") == ["FFF"]
    assert skus(service="NoSuchService") == []  # the reference names no error for this

    # paging: MaxResults 1..100, NextToken while more remain
    got, token, pages = [], None, 0
    while True:
        doc = pricing("GetProducts", ServiceCode="AWSDatabaseMigrationSvc", MaxResults=2,
                      **({"NextToken": token} if token else {}))
        got += [json.loads(e)["product"]["sku"] for e in doc["PriceList"]]
        pages += 1
        token = doc.get("NextToken")
        if not token:
            break
    assert got == ["AAA", "BBB", "CCC", "DDD", "EEE"] and pages == 3
    token = pricing("GetProducts", ServiceCode="AWSDatabaseMigrationSvc", MaxResults=1)["NextToken"]
    pricing.error("GetProducts", "InvalidNextTokenException", ServiceCode="AWSDatabaseMigrationSvc",
                  NextToken="garbage")
    pricing.error("GetProducts", "InvalidNextTokenException", ServiceCode="AmazonEC2", NextToken=token)
    requests.put(url + "/_dmsctl/price-list", json=PRICE_DOCS).raise_for_status()  # a new list
    pricing.error("GetProducts", "ExpiredNextTokenException", ServiceCode="AWSDatabaseMigrationSvc",
                  MaxResults=1, NextToken=token)

    for bad in ({}, {"ServiceCode": ""}, {"ServiceCode": "AWSDatabaseMigrationSvc", "FormatVersion": "aws_v2"},
                {"ServiceCode": "AWSDatabaseMigrationSvc", "MaxResults": 0},
                {"ServiceCode": "AWSDatabaseMigrationSvc", "MaxResults": 101},
                {"ServiceCode": "AWSDatabaseMigrationSvc",
                 "Filters": [{"Type": "STARTS_WITH", "Field": "sku", "Value": "A"}]},
                {"ServiceCode": "AWSDatabaseMigrationSvc", "Filters": [{"Type": "TERM_MATCH", "Field": "sku"}]},
                {"ServiceCode": "AWSDatabaseMigrationSvc",
                 "Filters": [{"Type": "TERM_MATCH", "Field": "", "Value": "A"}]},
                {"ServiceCode": "AWSDatabaseMigrationSvc",
                 "Filters": [{"Type": "TERM_MATCH", "Field": "sku", "Value": "A"}] * 51}):
        pricing.error("GetProducts", "InvalidParameterException", **bad)

    # bad seeds are refused and change nothing
    for bad in ({"product": {}}, [{"product": {"sku": "X"}}], [{"serviceCode": "S", "product": {}}],
                [{"serviceCode": "S", "product": {"sku": "X", "attributes": {"n": 1}}}]):
        assert requests.put(url + "/_dmsctl/price-list", json=bad).status_code == 400, bad
    assert len(requests.get(url + "/_dmsctl/price-list").json()) == len(PRICE_DOCS)


def test_pricing_describe_services(url, pricing):
    requests.put(url + "/_dmsctl/price-list", json=PRICE_DOCS).raise_for_status()
    doc = pricing("DescribeServices")
    assert [s["ServiceCode"] for s in doc["Services"]] == ["AWSDatabaseMigrationSvc", "AmazonEC2"]
    assert doc["FormatVersion"] == "aws_v1"
    dms_attrs = doc["Services"][0]["AttributeNames"]
    assert "instanceType" in dms_attrs and "availabilityZone" in dms_attrs and dms_attrs == sorted(dms_attrs)
    one = pricing("DescribeServices", ServiceCode="AmazonEC2", FormatVersion="aws_v1")
    assert [s["ServiceCode"] for s in one["Services"]] == ["AmazonEC2"]
    page = pricing("DescribeServices", MaxResults=1)
    assert len(page["Services"]) == 1
    rest = pricing("DescribeServices", MaxResults=1, NextToken=page["NextToken"])
    assert [s["ServiceCode"] for s in rest["Services"]] == ["AmazonEC2"] and "NextToken" not in rest
    pricing.error("DescribeServices", "InvalidParameterException", MaxResults=500)
    pricing.error("GetAttributeValues", "NotImplemented", status=501, ServiceCode="AmazonEC2",
                  AttributeName="instanceType")


def test_pricing_faults_calls_and_reset(url, pricing):
    requests.put(url + "/_dmsctl/price-list", json=PRICE_DOCS).raise_for_status()
    requests.post(url + "/_dmsctl/faults", json=[
        {"operation": "pricing:GetProducts", "error": "ThrottlingException", "message": "Rate exceeded"},
        {"operation": "pricing:GetProducts", "error": "InternalErrorException", "status": 500}]
    ).raise_for_status()
    assert pricing.error("GetProducts", "ThrottlingException", ServiceCode="AmazonEC2") == "Rate exceeded"
    pricing.error("GetProducts", "InternalErrorException", status=500, ServiceCode="AmazonEC2")
    assert len(pricing("GetProducts", ServiceCode="AmazonEC2")["PriceList"]) == 1
    pricing("DescribeServices")
    assert requests.get(url + "/_dmsctl/calls").json() == {
        "total": 4, "calls": {"pricing:DescribeServices": 1, "pricing:GetProducts": 3}}
    # the default reset clears the price list; one of other services leaves it
    requests.post(url + "/_dmsctl/reset", json={"services": ["dms"]}).raise_for_status()
    assert len(pricing("GetProducts", ServiceCode="AmazonEC2")["PriceList"]) == 1
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert pricing("GetProducts", ServiceCode="AmazonEC2")["PriceList"] == []
    assert requests.get(url + "/_dmsctl/price-list").json() == []
    assert pricing("DescribeServices")["Services"] == []


def test_provisioned_capacity_override(url, dms, world):
    src, tgt, _ = world
    arn = dms.config("c1", src, tgt, ComputeConfig={"MinCapacityUnits": 2, "MaxCapacityUnits": 16}
                     )["ReplicationConfigArn"]
    other = dms.config("c2", src, tgt)["ReplicationConfigArn"]  # Min 1, Max 4
    set_transition(url, "dms::replication", {"progression": "immediate"})
    for a in (arn, other):
        dms("StartReplication", ReplicationConfigArn=a, StartReplicationType="start-replication")
    assert dms.replication(arn)["ProvisionData"]["ProvisionedCapacityUnits"] == 2  # MinCapacityUnits
    r = requests.put(url + "/_dmsctl/provisioned-capacity", json={arn: 8})
    assert r.status_code == 200, r.text
    assert requests.get(url + "/_dmsctl/provisioned-capacity").json() == {arn: 8}
    rep = dms.replication(arn)
    assert rep["Status"] == "running"
    assert rep["ProvisionData"] == {"ProvisionState": "provisioned", "ProvisionedCapacityUnits": 8,
                                    "IsNewProvisioningAvailable": False}
    assert dms.replication(other)["ProvisionData"]["ProvisionedCapacityUnits"] == 1
    # stopped and started again: still the override; a new PUT replaces every override
    dms("StopReplication", ReplicationConfigArn=arn)
    assert dms.replication(arn)["ProvisionData"]["ProvisionedCapacityUnits"] == 8
    requests.put(url + "/_dmsctl/provisioned-capacity", json={other: 4}).raise_for_status()
    assert dms.replication(arn)["ProvisionData"]["ProvisionedCapacityUnits"] == 2
    assert dms.replication(other)["ProvisionData"]["ProvisionedCapacityUnits"] == 4
    # refused: not a DCU value, outside Min..Max, unknown or malformed ARN, not a map
    for bad in ({arn: 3}, {arn: 32}, {arn: 1}, {arn: "8"}, {arn: True},
                {"arn:aws:dms:us-east-1:123456789012:replication-config:NOPE": 2}, {"nope": 2}, [arn, 8]):
        assert requests.put(url + "/_dmsctl/provisioned-capacity", json=bad).status_code == 400, bad
    assert requests.get(url + "/_dmsctl/provisioned-capacity").json() == {other: 4}
    # not yet provisioned: 0 whatever the override
    cfg3 = dms.config("c3", src, tgt)["ReplicationConfigArn"]
    requests.put(url + "/_dmsctl/provisioned-capacity", json={cfg3: 4}).raise_for_status()
    set_transition(url, "dms::replication", {"progression": "manual", "times": 1})
    dms("StartReplication", ReplicationConfigArn=cfg3, StartReplicationType="start-replication")
    assert dms.replication(cfg3)["ProvisionData"]["ProvisionedCapacityUnits"] == 0
    # reset clears it
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert requests.get(url + "/_dmsctl/provisioned-capacity").json() == {}


def test_cloudwatch_dms_metrics_over_past_days(url):
    """What `dmsctl cost --observed` reads: AWS/DMS CPUUtilization and FreeableMemory
    of instance `main`, put with past timestamps, aggregated per hour and per day."""
    import datetime

    day0 = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=4)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    dims = [{"Name": "ReplicationInstanceIdentifier", "Value": "main"}]
    # 3 days x 4 points; day d, point i at hour i*6 + 1 (minute 10): CPU = 10*d + i
    cpu, mem = {}, {}
    data = []
    for d in range(3):
        for i in range(4):
            ts = day0 + datetime.timedelta(days=d, hours=i * 6 + 1, minutes=10)
            cpu[ts], mem[ts] = float(10 * d + i), float(1e9 - 1e8 * d - 1e6 * i)
            data += [{"MetricName": "CPUUtilization", "Dimensions": dims, "Value": cpu[ts], "Unit": "Percent",
                      "Timestamp": ts},
                     {"MetricName": "FreeableMemory", "Dimensions": dims, "Value": mem[ts], "Unit": "Bytes",
                      "Timestamp": ts}]
    status, _, _ = _cbor_call(url, "PutMetricData", {"Namespace": "AWS/DMS", "MetricData": data})
    assert status == 200
    # noise moto must not mix in: another instance, another namespace
    _cbor_call(url, "PutMetricData", {"Namespace": "AWS/DMS", "MetricData": [
        {"MetricName": "CPUUtilization", "Value": 99.0, "Timestamp": day0 + datetime.timedelta(hours=1),
         "Dimensions": [{"Name": "ReplicationInstanceIdentifier", "Value": "other"}]}]})
    _cbor_call(url, "PutMetricData", {"Namespace": "Custom", "MetricData": [
        {"MetricName": "CPUUtilization", "Dimensions": dims, "Value": 99.0,
         "Timestamp": day0 + datetime.timedelta(hours=1)}]})

    def query(period, stats):
        status, _, doc = _cbor_call(url, "GetMetricData", {
            "MetricDataQueries": [
                {"Id": f"{metric[0].lower()}{stat.lower()}", "MetricStat": {
                    "Metric": {"Namespace": "AWS/DMS", "MetricName": metric, "Dimensions": dims},
                    "Period": period, "Stat": stat}}
                for metric in ("CPUUtilization", "FreeableMemory") for stat in stats],
            "StartTime": day0, "EndTime": day0 + datetime.timedelta(days=3), "ScanBy": "TimestampAscending"})
        assert status == 200, doc
        return {r["Id"]: sorted(zip([t.timestamp() for t in r["Timestamps"]], r["Values"]))
                for r in doc["MetricDataResults"]}

    def expect(series, period, agg):
        buckets = {}
        for ts, v in series.items():
            start = day0.timestamp() + (ts.timestamp() - day0.timestamp()) // period * period
            buckets.setdefault(start, []).append(v)
        return sorted((k, agg(vs)) for k, vs in buckets.items())

    def avg(vs):
        return sum(vs) / len(vs)

    for period in (3600, 86400):
        got = query(period, ["Average", "Maximum", "Minimum"])
        for prefix, series in (("c", cpu), ("f", mem)):
            for stat, agg in (("average", avg), ("maximum", max), ("minimum", min)):
                want = expect(series, period, agg)
                assert [t for t, _ in got[prefix + stat]] == [t for t, _ in want], (period, prefix, stat)
                assert [v for _, v in got[prefix + stat]] == pytest.approx([v for _, v in want]), \
                    (period, prefix, stat)
    daily = query(86400, ["Average"])["caverage"]
    assert [v for _, v in daily] == pytest.approx([1.5, 11.5, 21.5])
    assert len(query(3600, ["Maximum"])["cmaximum"]) == 12


# --------------------------------- reloads, connections, CDC, certificates, assessments

def _running_task(dms, world, ident="t1", **kw):
    src, tgt, inst = world
    task = dms.task(ident, src, tgt, inst, **kw)
    arn = task["ReplicationTaskArn"]
    dms.task_status(arn)  # creating -> ready
    dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert dms.task_status(arn) == "running"
    return arn


def test_reload_tables(url, dms, world):
    src, tgt, inst = world
    ready = dms.task("idle", src, tgt, inst)["ReplicationTaskArn"]
    tables = [{"SchemaName": "public", "TableName": "orders"}]
    dms.error("ReloadTables", "InvalidResourceStateFault", ReplicationTaskArn=ready, TablesToReload=tables)
    arn = _running_task(dms, world)
    requests.post(url + "/_dmsctl/table-statistics", json={"ReplicationTaskArn": arn, "TableStatistics": [
        {"SchemaName": "public", "TableName": "orders", "TableState": "Table completed"},
        {"SchemaName": "public", "TableName": "items", "TableState": "Table completed"}]}).raise_for_status()
    assert dms("ReloadTables", ReplicationTaskArn=arn, TablesToReload=tables) == {"ReplicationTaskArn": arn}
    dms("ReloadTables", ReplicationTaskArn=arn, ReloadOption="validate-only",
        TablesToReload=[{"SchemaName": "public", "TableName": "items"}])
    states = {r["TableName"]: r["TableState"] for r in
              dms("DescribeTableStatistics", ReplicationTaskArn=arn)["TableStatistics"]}
    assert states == {"orders": "Table is being reloaded", "items": "Table completed"}
    for bad in ({"TablesToReload": []}, {"TablesToReload": [{"SchemaName": "public"}]},
                {"TablesToReload": tables, "ReloadOption": "everything"}):
        dms.error("ReloadTables", "InvalidParameterValueException", ReplicationTaskArn=arn, **bad)
    dms.error("ReloadTables", "ResourceNotFoundFault", TablesToReload=tables,
              ReplicationTaskArn="arn:aws:dms:us-east-1:123456789012:task:NOPE")
    # serverless
    cfg = dms.config("c1", src, tgt)["ReplicationConfigArn"]
    dms.error("ReloadReplicationTables", "InvalidResourceStateFault", ReplicationConfigArn=cfg,
              TablesToReload=tables)
    set_transition(url, "dms::replication", {"progression": "immediate"})
    dms("StartReplication", ReplicationConfigArn=cfg, StartReplicationType="start-replication")
    assert dms.replication(cfg)["Status"] == "running"
    assert dms("ReloadReplicationTables", ReplicationConfigArn=cfg, TablesToReload=tables
               ) == {"ReplicationConfigArn": cfg}
    dms.error("ReloadReplicationTables", "ResourceNotFoundFault", TablesToReload=tables,
              ReplicationConfigArn="arn:aws:dms:us-east-1:123456789012:replication-config:NOPE")
    assert requests.get(url + "/_dmsctl/reloads").json() == {"reloads": [
        {"arn": arn, "tables": tables, "option": "data-reload"},
        {"arn": arn, "tables": [{"SchemaName": "public", "TableName": "items"}], "option": "validate-only"},
        {"arn": cfg, "tables": tables, "option": "data-reload"}]}
    calls = requests.get(url + "/_dmsctl/calls").json()["calls"]
    assert calls["dms:ReloadTables"] == 7 and calls["dms:ReloadReplicationTables"] == 3
    requests.post(url + "/_dmsctl/faults", json={"operation": "ReloadTables", "error": "ThrottlingException"})
    dms.error("ReloadTables", "ThrottlingException", ReplicationTaskArn=arn, TablesToReload=tables)
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert requests.get(url + "/_dmsctl/reloads").json() == {"reloads": []}


def test_test_connection_and_seeded_failure(url, dms, world):
    src, tgt, inst = world
    ia, ea, eb = inst["ReplicationInstanceArn"], src["EndpointArn"], tgt["EndpointArn"]
    r = requests.put(url + "/_dmsctl/connection-results", json={
        eb: {"status": "failed", "message": "Can't connect to MySQL server on 'db' (110)"}})
    assert r.status_code == 200, r.text
    assert dms("TestConnection", ReplicationInstanceArn=ia, EndpointArn=ea)["Connection"]["Status"] == "testing"
    dms("TestConnection", ReplicationInstanceArn=ia, EndpointArn=eb)

    def statuses(**kw):
        return {c["EndpointArn"]: c for c in dms("DescribeConnections", **kw)["Connections"]}

    assert {a: c["Status"] for a, c in statuses().items()} == {ea: "testing", eb: "testing"}
    got = statuses()
    assert got[ea]["Status"] == "successful" and "LastFailureMessage" not in got[ea]
    assert got[eb]["Status"] == "failed"
    assert got[eb]["LastFailureMessage"] == "Can't connect to MySQL server on 'db' (110)"
    assert got[eb]["EndpointIdentifier"] == "tgt" and got[eb]["ReplicationInstanceIdentifier"] == "inst"
    # re-test (moto: HTTP 500): testing again, then the result seeded now
    requests.put(url + "/_dmsctl/connection-results", json={}).raise_for_status()
    assert dms("TestConnection", ReplicationInstanceArn=ia, EndpointArn=eb)["Connection"]["Status"] == "testing"
    only_b = [{"Name": "endpoint-arn", "Values": [eb]}, {"Name": "replication-instance-arn", "Values": [ia]}]
    assert [c["Status"] for c in dms("DescribeConnections", Filters=only_b)["Connections"]] == ["testing"]
    assert [c["Status"] for c in dms("DescribeConnections", Filters=only_b)["Connections"]] == ["successful"]
    # errors
    nope = "arn:aws:dms:us-east-1:123456789012:endpoint:NOPE"
    dms.error("TestConnection", "ResourceNotFoundFault", ReplicationInstanceArn=ia, EndpointArn=nope)
    dms.error("TestConnection", "ResourceNotFoundFault", EndpointArn=ea,
              ReplicationInstanceArn="arn:aws:dms:us-east-1:123456789012:rep:NOPE")
    creating = dms.instance("fresh")["ReplicationInstanceArn"]
    dms.error("TestConnection", "InvalidResourceStateFault", ReplicationInstanceArn=creating, EndpointArn=ea)
    for bad in ({nope: {"status": "failed"}}, {ea: {"status": "testing"}}, {ea: {"status": "failed", "x": 1}},
                [ea]):
        assert requests.put(url + "/_dmsctl/connection-results", json=bad).status_code == 400, bad
    dms.error("DescribeConnections", "InvalidParameterValueException", Filters=[{"Name": "x", "Values": []}])
    requests.put(url + "/_dmsctl/connection-results", json={ea: {"status": "failed"}}).raise_for_status()
    assert requests.get(url + "/_dmsctl/connection-results").json() == {ea: {"status": "failed"}}
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert requests.get(url + "/_dmsctl/connection-results").json() == {}


def test_describe_connections_pages(dms, world):
    src, tgt, inst = world
    for i in range(25):
        e = dms.endpoint(f"e{i}")
        dms("TestConnection", ReplicationInstanceArn=inst["ReplicationInstanceArn"], EndpointArn=e["EndpointArn"])
    items, pages = _all_pages(dms, "DescribeConnections", "Connections", 20)
    assert len({c["EndpointArn"] for c in items}) == 25 and pages == 2
    dms.error("DescribeConnections", "InvalidParameterValueException", MaxRecords=5)


def test_cdc_positions_start_log_and_recovery_checkpoint(url, dms, world):
    src, tgt, inst = world
    dms.error("CreateReplicationTask", "InvalidParameterCombinationException", ReplicationTaskIdentifier="x",
              SourceEndpointArn=src["EndpointArn"], TargetEndpointArn=tgt["EndpointArn"],
              ReplicationInstanceArn=inst["ReplicationInstanceArn"], MigrationType="cdc", TableMappings=SELECT_ALL,
              CdcStartTime=1700000000, CdcStartPosition="mysql-bin-changelog.000024:373")
    task = dms.task("t1", src, tgt, inst, MigrationType="cdc", CdcStartPosition="mysql-bin-changelog.000024:373",
                    CdcStopPosition="server_time:2030-02-09T12:12:12")
    arn = task["ReplicationTaskArn"]
    assert task["CdcStartPosition"] == "mysql-bin-changelog.000024:373"
    assert task["CdcStopPosition"] == "server_time:2030-02-09T12:12:12"
    dms.task_status(arn)
    dms.error("ModifyReplicationTask", "InvalidParameterCombinationException", ReplicationTaskArn=arn,
              CdcStartTime=1700000000, CdcStartPosition="x")
    assert "RecoveryCheckpoint" not in dms("DescribeReplicationTasks")["ReplicationTasks"][0]
    dms.error("StartReplicationTask", "InvalidParameterCombinationException", ReplicationTaskArn=arn,
              StartReplicationTaskType="start-replication", CdcStartTime=1700000000, CdcStartPosition="x")
    started = dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="start-replication",
                  CdcStartTime=1700000000, CdcStopPosition="commit_time:2030-01-01T00:00:00")["ReplicationTask"]
    assert started["CdcStopPosition"] == "commit_time:2030-01-01T00:00:00"
    assert dms.task_status(arn) == "running"
    dms("StopReplicationTask", ReplicationTaskArn=arn)
    t = dms("DescribeReplicationTasks")["ReplicationTasks"][0]
    assert t["Status"] == "stopped"
    generated = t["RecoveryCheckpoint"]
    assert generated.startswith("checkpoint:V1#") and generated == dms(
        "DescribeReplicationTasks")["ReplicationTasks"][0]["RecoveryCheckpoint"]
    seeded = "checkpoint:V1#1#mysql-bin-changelog.000024:1234:-1:1234:0#0#0#*#0#123"
    dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing",
        CdcStartPosition=generated)
    assert "RecoveryCheckpoint" not in dms("DescribeReplicationTasks")["ReplicationTasks"][0]  # running
    dms("StopReplicationTask", ReplicationTaskArn=arn)
    # serverless
    cfg = dms.config("c1", src, tgt, ReplicationType="cdc")["ReplicationConfigArn"]
    r = requests.put(url + "/_dmsctl/recovery-checkpoints", json={arn: seeded, cfg: seeded + "9"})
    assert r.status_code == 200, r.text
    assert dms("DescribeReplicationTasks")["ReplicationTasks"][0]["RecoveryCheckpoint"] == seeded
    set_transition(url, "dms::replication", {"progression": "immediate"})
    assert "RecoveryCheckpoint" not in dms.replication(cfg)  # never ran
    dms.error("StartReplication", "InvalidParameterCombinationException", ReplicationConfigArn=cfg,
              StartReplicationType="start-replication", CdcStartTime=1700000000, CdcStartPosition="x")
    rep = dms("StartReplication", ReplicationConfigArn=cfg, StartReplicationType="start-replication",
              CdcStartPosition="mysql-bin-changelog.000001:4", CdcStopPosition="server_time:2030-01-01T00:00:00"
              )["Replication"]
    assert rep["CdcStartPosition"] == "mysql-bin-changelog.000001:4"
    dms("StopReplication", ReplicationConfigArn=cfg)
    assert dms.replication(cfg)["RecoveryCheckpoint"] == seeded + "9"
    assert requests.get(url + "/_dmsctl/recovery-checkpoints").json() == {arn: seeded, cfg: seeded + "9"}
    requests.put(url + "/_dmsctl/recovery-checkpoints", json={}).raise_for_status()
    assert dms.replication(cfg)["RecoveryCheckpoint"].startswith("checkpoint:V1#1#")
    assert requests.get(url + "/_dmsctl/starts").json() == {"starts": [
        {"arn": arn, "type": "start-replication", "cdc_start_position": None, "cdc_start_time": 1700000000,
         "cdc_stop_position": "commit_time:2030-01-01T00:00:00"},
        {"arn": arn, "type": "resume-processing", "cdc_start_position": generated, "cdc_start_time": None,
         "cdc_stop_position": None},
        {"arn": cfg, "type": "start-replication", "cdc_start_position": "mysql-bin-changelog.000001:4",
         "cdc_start_time": None, "cdc_stop_position": "server_time:2030-01-01T00:00:00"}]}
    for bad in ({"arn:aws:dms:us-east-1:123456789012:task:NOPE": "checkpoint:x"}, {arn: ""}, {arn: 5}, ["x"]):
        assert requests.put(url + "/_dmsctl/recovery-checkpoints", json=bad).status_code == 400, bad
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert requests.get(url + "/_dmsctl/starts").json() == {"starts": []}
    assert requests.get(url + "/_dmsctl/recovery-checkpoints").json() == {}


def _self_signed_pem(cn="db.example.com"):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode(), start.timestamp()


def test_certificates(url, dms):
    pem, start = _self_signed_pem()
    cert = dms("ImportCertificate", CertificateIdentifier="rds-ca", CertificatePem=pem,
               Tags=[{"Key": "team", "Value": "db"}])["Certificate"]
    arn = cert["CertificateArn"]
    assert arn.startswith("arn:aws:dms:us-east-1:123456789012:cert:")
    assert cert["CertificateIdentifier"] == "rds-ca" and cert["CertificatePem"] == pem
    assert cert["ValidFromDate"] == start and cert["ValidToDate"] == start + 365 * 86400
    assert cert["KeyLength"] == 2048 and cert["SigningAlgorithm"] == "SHA256withRSA"
    assert isinstance(cert["CertificateCreationDate"], float)
    dms.error("ImportCertificate", "ResourceAlreadyExistsFault", CertificateIdentifier="rds-ca", CertificatePem=pem)
    dms.error("ImportCertificate", "InvalidCertificateFault", CertificateIdentifier="bad", CertificatePem="hello")
    dms.error("ImportCertificate", "InvalidParameterValueException", CertificateIdentifier="none")
    dms.error("ImportCertificate", "InvalidParameterValueException", CertificateIdentifier="1bad", CertificatePem=pem)
    wallet = dms("ImportCertificate", CertificateIdentifier="wallet", CertificateWallet="c3NvIGJ5dGVz")["Certificate"]
    assert wallet["CertificateWallet"] == "c3NvIGJ5dGVz" and "CertificatePem" not in wallet
    for i in range(12):
        dms("ImportCertificate", CertificateIdentifier=f"c{i}", CertificatePem=pem)
    first = dms("DescribeCertificates")
    assert len(first["Certificates"]) == 10 and "Marker" in first  # "Default: 10"
    rest = dms("DescribeCertificates", Marker=first["Marker"])
    assert len(rest["Certificates"]) == 4 and "Marker" not in rest
    assert [c["CertificateArn"] for c in dms("DescribeCertificates", Filters=[
        {"Name": "certificate-id", "Values": ["rds-ca"]}])["Certificates"]] == [arn]
    assert len(dms("DescribeCertificates", Filters=[{"Name": "certificate-arn", "Values": [arn]}])["Certificates"]) == 1
    dms.error("DescribeCertificates", "ResourceNotFoundFault", Filters=[{"Name": "certificate-id", "Values": ["x"]}])
    dms.error("DescribeCertificates", "InvalidParameterValueException", Filters=[{"Name": "x", "Values": ["x"]}])
    # tags
    def tags():
        return [(t["Key"], t["Value"]) for t in dms("ListTagsForResource", ResourceArn=arn)["TagList"]]

    assert tags() == [("team", "db")]
    dms("AddTagsToResource", ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    dms("RemoveTagsFromResource", ResourceArn=arn, TagKeys=["team"])
    assert tags() == [("env", "prod")]
    # in use by an endpoint
    ep = dms.endpoint("ssl", CertificateArn=arn, SslMode="verify-full")
    dms.error("DeleteCertificate", "InvalidResourceStateFault", CertificateArn=arn)
    dms("DeleteEndpoint", EndpointArn=ep["EndpointArn"])
    assert dms("DeleteCertificate", CertificateArn=arn)["Certificate"]["CertificateArn"] == arn
    dms.error("DeleteCertificate", "ResourceNotFoundFault", CertificateArn=arn)
    dms.error("ListTagsForResource", "ResourceNotFoundFault", ResourceArn=arn)
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert dms("DescribeCertificates")["Certificates"] == []


def test_premigration_assessment_runs(url, dms, world):
    src, tgt, inst = world
    task = dms.task("t1", src, tgt, inst)
    arn = task["ReplicationTaskArn"]
    base = {"ReplicationTaskArn": arn, "ServiceAccessRoleArn": "arn:aws:iam::123456789012:role/dms-assess",
            "ResultLocationBucket": "bucket"}
    r = requests.put(url + "/_dmsctl/assessment-results", json={arn: [
        {"IndividualAssessmentName": "unsupported-data-types-in-source", "Status": "passed"},
        {"IndividualAssessmentName": "table-with-no-primary-key-or-unique-constraint", "Status": "warning"},
        {"IndividualAssessmentName": "full-lob-not-nullable-at-target", "Status": "failed",
         "LastFailureMessage": "LOB column NOT NULL on target"}]})
    assert r.status_code == 200, r.text
    run = dms("StartReplicationTaskAssessmentRun", AssessmentRunName="run1", ResultLocationFolder="f",
              **base)["ReplicationTaskAssessmentRun"]
    run_arn = run["ReplicationTaskAssessmentRunArn"]
    assert run_arn.startswith("arn:aws:dms:us-east-1:123456789012:assessment-run:")
    assert run["Status"] == "starting" and run["IsLatestTaskAssessmentRun"] is True
    dms.error("StartReplicationTaskAssessmentRun", "InvalidResourceStateFault", AssessmentRunName="run2", **base)
    ind = dms("DescribeReplicationTaskIndividualAssessments",
              Filters=[{"Name": "replication-task-assessment-run-arn", "Values": [run_arn]}]
              )["ReplicationTaskIndividualAssessments"]
    assert [i["Status"] for i in ind] == ["pending"] * 3
    seen = [dms("DescribeReplicationTaskAssessmentRuns")["ReplicationTaskAssessmentRuns"][0]["Status"]
            for _ in range(3)]
    assert seen == ["provisioning", "running", "failed"]  # one failed assessment -> failed
    done = dms("DescribeReplicationTaskAssessmentRuns", Filters=[{"Name": "status", "Values": ["failed"]}]
               )["ReplicationTaskAssessmentRuns"][0]
    assert done["ResultStatistic"] == {"Passed": 1, "Failed": 1, "Error": 0, "Warning": 1, "Cancelled": 0,
                                       "Skipped": 0}
    assert done["AssessmentProgress"] == {"IndividualAssessmentCount": 3, "IndividualAssessmentCompletedCount": 3}
    assert done["LastFailureMessage"] == "LOB column NOT NULL on target" and done["ResultLocationFolder"] == "f"
    ind = dms("DescribeReplicationTaskIndividualAssessments", Filters=[
        {"Name": "replication-task-arn", "Values": [arn]}, {"Name": "status", "Values": ["warning", "failed"]}]
              )["ReplicationTaskIndividualAssessments"]
    assert sorted(i["Status"] for i in ind) == ["failed", "warning"]
    # the next run: Exclude the failing one -> warning; the earlier run is no longer the latest
    dms.error("StartReplicationTaskAssessmentRun", "ResourceAlreadyExistsFault", AssessmentRunName="run1", **base)
    dms.error("StartReplicationTaskAssessmentRun", "InvalidParameterCombinationException", AssessmentRunName="x",
              IncludeOnly=["a"], Exclude=["b"], **base)
    run2 = dms("StartReplicationTaskAssessmentRun", AssessmentRunName="run2",
               Exclude=["full-lob-not-nullable-at-target"], **base)["ReplicationTaskAssessmentRun"]
    set_transition(url, "dms::assessmentrun", {"progression": "immediate"})
    runs = {r["AssessmentRunName"]: r for r in
            dms("DescribeReplicationTaskAssessmentRuns", Filters=[{"Name": "replication-task-arn", "Values": [arn]}]
                )["ReplicationTaskAssessmentRuns"]}
    assert runs["run2"]["Status"] == "warning" and runs["run2"]["IsLatestTaskAssessmentRun"] is True
    assert runs["run1"]["IsLatestTaskAssessmentRun"] is False
    assert run2["ReplicationTaskAssessmentRunArn"] == runs["run2"]["ReplicationTaskAssessmentRunArn"]
    # nothing seeded: the default assessments pass; all skipped -> warning
    requests.put(url + "/_dmsctl/assessment-results", json={}).raise_for_status()
    dms("StartReplicationTaskAssessmentRun", AssessmentRunName="run3", **base)
    assert dms("DescribeReplicationTaskAssessmentRuns", Filters=[
        {"Name": "status", "Values": ["passed"]}])["ReplicationTaskAssessmentRuns"][0]["AssessmentRunName"] == "run3"
    requests.put(url + "/_dmsctl/assessment-results", json={arn: [
        {"IndividualAssessmentName": "a", "Status": "skipped"}]}).raise_for_status()
    dms("StartReplicationTaskAssessmentRun", AssessmentRunName="run4", **base)
    last = dms("DescribeReplicationTaskAssessmentRuns")["ReplicationTaskAssessmentRuns"][-1]
    assert last["AssessmentRunName"] == "run4" and last["Status"] == "warning"
    # errors
    dms.error("StartReplicationTaskAssessmentRun", "InvalidParameterValueException", ReplicationTaskArn=arn,
              AssessmentRunName="x")
    dms.error("StartReplicationTaskAssessmentRun", "ResourceNotFoundFault", AssessmentRunName="x",
              **{**base, "ReplicationTaskArn": "arn:aws:dms:us-east-1:123456789012:task:NOPE"})
    dms.error("DescribeReplicationTaskAssessmentRuns", "ResourceNotFoundFault",
              Filters=[{"Name": "status", "Values": ["running"]}])
    dms.error("DescribeReplicationTaskIndividualAssessments", "InvalidParameterValueException",
              Filters=[{"Name": "x", "Values": ["y"]}])
    for bad in ({arn: [{"IndividualAssessmentName": "a", "Status": "pending"}]},
                {arn: [{"IndividualAssessmentName": "a", "Status": "passed", "Colour": "red"}]},
                {"arn:aws:dms:us-east-1:123456789012:task:NOPE": []}, [arn]):
        assert requests.put(url + "/_dmsctl/assessment-results", json=bad).status_code == 400, bad
    assert requests.get(url + "/_dmsctl/assessment-results").json() == {
        arn: [{"IndividualAssessmentName": "a", "Status": "skipped"}]}
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert dms("DescribeReplicationTaskAssessmentRuns")["ReplicationTaskAssessmentRuns"] == []
    assert requests.get(url + "/_dmsctl/assessment-results").json() == {}


# ------------------------------------------ MoveReplicationTask, event subscriptions

def test_move_replication_task(url, dms, world):
    src, tgt, inst = world
    a = inst["ReplicationInstanceArn"]
    b = dms.instance("second")["ReplicationInstanceArn"]
    task = dms.task("t1", src, tgt, inst, ReplicationTaskSettings=json.dumps({"Logging": {"EnableLogging": True}}),
                    CdcStopPosition="server_time:2030-01-01T00:00:00")
    arn = task["ReplicationTaskArn"]
    # the target is still "creating"
    dms.error("MoveReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn,
              TargetReplicationInstanceArn=b)
    dms("DescribeReplicationInstances")  # second: creating -> available
    assert dms.task_status(arn) == "ready"
    dms.error("MoveReplicationTask", "InvalidParameterValueException", ReplicationTaskArn=arn,
              TargetReplicationInstanceArn=a)  # "can't move a task to the same replication instance"
    dms.error("MoveReplicationTask", "ResourceNotFoundFault", ReplicationTaskArn=arn,
              TargetReplicationInstanceArn="arn:aws:dms:us-east-1:123456789012:rep:NOPE")
    dms.error("MoveReplicationTask", "ResourceNotFoundFault", TargetReplicationInstanceArn=b,
              ReplicationTaskArn="arn:aws:dms:us-east-1:123456789012:task:NOPE")
    dms.error("MoveReplicationTask", "InvalidParameterValueException", ReplicationTaskArn=arn)
    dms.error("MoveReplicationTask", "InvalidParameterValueException", ReplicationTaskArn="nope",
              TargetReplicationInstanceArn=b)
    # a task never run (ready) moves, and comes back ready on the new instance
    moved = dms("MoveReplicationTask", ReplicationTaskArn=arn, TargetReplicationInstanceArn=b)["ReplicationTask"]
    assert moved["Status"] == "moving"
    assert moved["ReplicationInstanceArn"] == a and moved["TargetReplicationInstanceArn"] == b
    dms.error("StartReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn,
              StartReplicationTaskType="start-replication")
    dms.error("DeleteReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn)
    dms.error("DeleteReplicationInstance", "InvalidResourceStateFault", ReplicationInstanceArn=b)
    dms.error("MoveReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn,
              TargetReplicationInstanceArn=a)
    first = dms("DescribeReplicationTasks")["ReplicationTasks"][0]
    assert first["Status"] == "moving" and first["TargetReplicationInstanceArn"] == b
    done = dms("DescribeReplicationTasks")["ReplicationTasks"][0]
    assert done["Status"] == "ready" and done["ReplicationInstanceArn"] == b
    assert "TargetReplicationInstanceArn" not in done
    for key in ("ReplicationTaskSettings", "TableMappings", "CdcStopPosition", "MigrationType"):
        assert done[key] == task[key], key
    assert [t["ReplicationTaskArn"] for t in dms("DescribeReplicationTasks", Filters=[
        {"Name": "replication-instance-arn", "Values": [b]}])["ReplicationTasks"]] == [arn]
    dms("DeleteReplicationInstance", ReplicationInstanceArn=a)  # no longer used
    # a task that ran must be stopped first; it keeps its run history
    c = dms.instance("third")["ReplicationInstanceArn"]
    dms("DescribeReplicationInstances")
    dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert dms.task_status(arn) == "running"
    dms.error("MoveReplicationTask", "InvalidResourceStateFault", ReplicationTaskArn=arn,
              TargetReplicationInstanceArn=c)
    dms("StopReplicationTask", ReplicationTaskArn=arn)
    before = dms("DescribeReplicationTasks")["ReplicationTasks"][0]
    assert before["Status"] == "stopped"
    set_transition(url, "dms::replicationtaskmove", {"progression": "immediate"})
    # immediate: even the answer shows the end of the move (as for moto's other models)
    assert dms("MoveReplicationTask", ReplicationTaskArn=arn, TargetReplicationInstanceArn=c
               )["ReplicationTask"]["ReplicationInstanceArn"] == c
    after = dms("DescribeReplicationTasks")["ReplicationTasks"][0]
    assert after["Status"] == "stopped" and after["ReplicationInstanceArn"] == c
    assert after["ReplicationTaskStats"] == before["ReplicationTaskStats"]
    assert after["RecoveryCheckpoint"] == before["RecoveryCheckpoint"]
    assert after["ReplicationTaskStartDate"] == before["ReplicationTaskStartDate"]
    # the task now starts on its new instance (status model dms::replicationtask again)
    dms("StartReplicationTask", ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing")
    assert dms.task_status(arn) == "running"
    assert requests.get(url + "/_dmsctl/moves").json() == {"moves": [
        {"arn": arn, "from": a, "to": b}, {"arn": arn, "from": b, "to": c}]}
    calls = requests.get(url + "/_dmsctl/calls").json()["calls"]
    assert calls["dms:MoveReplicationTask"] == 10
    requests.post(url + "/_dmsctl/faults", json={"operation": "MoveReplicationTask", "error": "AccessDeniedFault"})
    dms.error("MoveReplicationTask", "AccessDeniedFault", ReplicationTaskArn=arn, TargetReplicationInstanceArn=b)
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert requests.get(url + "/_dmsctl/moves").json() == {"moves": []}


TOPIC = "arn:aws:sns:us-east-1:123456789012:dms-events"


def test_event_categories(dms):
    groups = dms("DescribeEventCategories")["EventCategoryGroupList"]
    assert groups == [
        {"SourceType": "replication-instance", "EventCategories": [
            "low storage", "configuration change", "maintenance", "deletion", "creation", "failover", "failure"]},
        {"SourceType": "replication-task", "EventCategories": [
            "configuration change", "state change", "deletion", "creation", "failure"]}]
    assert dms("DescribeEventCategories", SourceType="replication-task")["EventCategoryGroupList"] == groups[1:]
    dms.error("DescribeEventCategories", "InvalidParameterValueException", SourceType="endpoint")


def test_event_subscriptions(url, dms, world):
    src, tgt, inst = world
    task = dms.task("t1", src, tgt, inst)
    sub = dms("CreateEventSubscription", SubscriptionName="ops", SnsTopicArn=TOPIC,
              SourceType="replication-task", SourceIds=["t1"], EventCategories=["failure", "state change"],
              Tags=[{"Key": "team", "Value": "db"}])["EventSubscription"]
    assert sub == {"CustomerAwsId": "123456789012", "CustSubscriptionId": "ops", "SnsTopicArn": TOPIC,
                   "Status": "creating", "SubscriptionCreationTime": sub["SubscriptionCreationTime"],
                   "SourceType": "replication-task", "SourceIdsList": ["t1"],
                   "EventCategoriesList": ["failure", "state change"], "Enabled": True}
    assert isinstance(sub["SubscriptionCreationTime"], str)  # a string in the model
    plain = dms("CreateEventSubscription", SubscriptionName="all", SnsTopicArn=TOPIC,
                Enabled=False)["EventSubscription"]
    assert plain["Enabled"] is False and "SourceType" not in plain and "SourceIdsList" not in plain
    # errors
    dms.error("CreateEventSubscription", "ResourceAlreadyExistsFault", SubscriptionName="ops", SnsTopicArn=TOPIC)
    dms.error("CreateEventSubscription", "SNSInvalidTopicFault", SubscriptionName="x", SnsTopicArn="my-topic")
    dms.error("CreateEventSubscription", "SNSInvalidTopicFault", SubscriptionName="x",
              SnsTopicArn="arn:aws:sqs:us-east-1:123456789012:q")
    dms.error("CreateEventSubscription", "InvalidParameterValueException", SubscriptionName="x")
    dms.error("CreateEventSubscription", "InvalidParameterValueException", SnsTopicArn=TOPIC)
    dms.error("CreateEventSubscription", "InvalidParameterValueException", SubscriptionName="x" * 255,
              SnsTopicArn=TOPIC)
    dms.error("CreateEventSubscription", "InvalidParameterValueException", SubscriptionName="x", SnsTopicArn=TOPIC,
              SourceType="endpoint")
    dms.error("CreateEventSubscription", "InvalidParameterValueException", SubscriptionName="x", SnsTopicArn=TOPIC,
              SourceType="replication-task", EventCategories=["low storage"])
    dms.error("CreateEventSubscription", "InvalidParameterValueException", SubscriptionName="x", SnsTopicArn=TOPIC,
              EventCategories=["explosions"])
    dms.error("CreateEventSubscription", "InvalidParameterCombinationException", SubscriptionName="x",
              SnsTopicArn=TOPIC, SourceIds=["inst"])
    dms.error("CreateEventSubscription", "ResourceNotFoundFault", SubscriptionName="x", SnsTopicArn=TOPIC,
              SourceType="replication-instance", SourceIds=["nope"])
    inst_sub = dms("CreateEventSubscription", SubscriptionName="inst", SnsTopicArn=TOPIC,
                   SourceType="replication-instance", SourceIds=["INST"], EventCategories=["low storage"]
                   )["EventSubscription"]
    assert inst_sub["SourceIdsList"] == ["inst"]  # instance identifiers are stored lowercase
    # describe: creating -> active, by name, filters, paging
    got = dms("DescribeEventSubscriptions", SubscriptionName="ops")["EventSubscriptionsList"]
    assert [s["Status"] for s in got] == ["active"]
    assert [s["CustSubscriptionId"] for s in dms("DescribeEventSubscriptions")["EventSubscriptionsList"]] == [
        "ops", "all", "inst"]
    arn = "arn:aws:dms:us-east-1:123456789012:es:ops"
    assert [s["CustSubscriptionId"] for s in dms("DescribeEventSubscriptions", Filters=[
        {"Name": "event-subscription-arn", "Values": [arn]}])["EventSubscriptionsList"]] == ["ops"]
    assert len(dms("DescribeEventSubscriptions", Filters=[
        {"Name": "event-subscription-id", "Values": ["all", "inst"]}])["EventSubscriptionsList"]) == 2
    dms.error("DescribeEventSubscriptions", "ResourceNotFoundFault", SubscriptionName="nope")
    dms.error("DescribeEventSubscriptions", "ResourceNotFoundFault",
              Filters=[{"Name": "event-subscription-id", "Values": ["nope"]}])
    dms.error("DescribeEventSubscriptions", "InvalidParameterValueException",
              Filters=[{"Name": "source-type", "Values": ["x"]}])
    for i in range(25):
        dms("CreateEventSubscription", SubscriptionName=f"s{i:02d}", SnsTopicArn=TOPIC)
    items, pages = _all_pages(dms, "DescribeEventSubscriptions", "EventSubscriptionsList", 20)
    assert len({s["CustSubscriptionId"] for s in items}) == 28 and pages == 2
    dms.error("DescribeEventSubscriptions", "InvalidParameterValueException", MaxRecords=5)
    # modify
    m = dms("ModifyEventSubscription", SubscriptionName="ops", EventCategories=["creation"], Enabled=False,
            SnsTopicArn=TOPIC + "-2")["EventSubscription"]
    assert m["Status"] == "modifying" and m["EventCategoriesList"] == ["creation"] and m["Enabled"] is False
    assert m["SnsTopicArn"] == TOPIC + "-2" and m["SourceIdsList"] == ["t1"]
    dms.error("ModifyEventSubscription", "InvalidParameterValueException", SubscriptionName="ops",
              EventCategories=["low storage"])  # not a replication-task category
    dms.error("ModifyEventSubscription", "InvalidParameterCombinationException", SubscriptionName="ops",
              SourceType="replication-instance")  # its SourceIds are task identifiers
    assert dms("ModifyEventSubscription", SubscriptionName="all", SourceType="replication-instance",
               EventCategories=["failover"])["EventSubscription"]["SourceType"] == "replication-instance"
    dms.error("ModifyEventSubscription", "SNSInvalidTopicFault", SubscriptionName="ops", SnsTopicArn="x")
    dms.error("ModifyEventSubscription", "ResourceNotFoundFault", SubscriptionName="nope")
    got = dms("DescribeEventSubscriptions", SubscriptionName="ops")["EventSubscriptionsList"][0]
    assert got["Status"] == "active" and got["EventCategoriesList"] == ["creation"]
    # tags on the es ARN
    def tags():
        return [(t["Key"], t["Value"]) for t in dms("ListTagsForResource", ResourceArn=arn)["TagList"]]

    assert tags() == [("team", "db")]
    dms("AddTagsToResource", ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    dms("RemoveTagsFromResource", ResourceArn=arn, TagKeys=["team"])
    assert tags() == [("env", "prod")]
    # delete
    d = dms("DeleteEventSubscription", SubscriptionName="ops")["EventSubscription"]
    assert d["Status"] == "deleting" and d["CustSubscriptionId"] == "ops"
    dms.error("DeleteEventSubscription", "ResourceNotFoundFault", SubscriptionName="ops")
    dms.error("ListTagsForResource", "ResourceNotFoundFault", ResourceArn=arn)
    # RDS's source-identifier operations are not DMS operations
    assert dms.raw("AddSourceIdentifierToSubscription", {"SubscriptionName": "all",
                                                         "SourceIdentifier": "t1"}).status_code == 501
    calls = requests.get(url + "/_dmsctl/calls").json()["calls"]
    assert calls["dms:CreateEventSubscription"] == 39 and calls["dms:DeleteEventSubscription"] == 2
    requests.post(url + "/_dmsctl/faults", json={"operation": "dms:CreateEventSubscription",
                                                 "error": "SNSNoAuthorizationFault"})
    dms.error("CreateEventSubscription", "SNSNoAuthorizationFault", SubscriptionName="z", SnsTopicArn=TOPIC)
    requests.post(url + "/_dmsctl/reset").raise_for_status()
    assert dms("DescribeEventSubscriptions")["EventSubscriptionsList"] == []
    assert task  # the task is only a source id here


# ------------------------------------------------------- CloudWatch metric alarms (CBOR)

def test_cloudwatch_metric_alarms_over_cbor(url):
    import requests as rq

    def call(op, params):
        r = rq.post(f"{url}/service/GraniteServiceVersion20100801/operation/{op}",
                    data=__import__("cbor2").dumps(params),
                    headers={"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
                             "Accept": "application/cbor", "Authorization": AUTH.format(svc="monitoring")})
        return r.status_code, r.headers.get("x-amzn-query-error"), __import__("cbor2").loads(r.content)

    alarm = {"AlarmName": "cdc-latency", "Namespace": "AWS/DMS", "MetricName": "CDCLatencySource",
             "Dimensions": [{"Name": "ReplicationInstanceIdentifier", "Value": "inst"},
                            {"Name": "ReplicationTaskIdentifier", "Value": "TASKID"}],
             "Statistic": "Average", "Period": 300, "EvaluationPeriods": 3, "Threshold": 600.0,
             "ComparisonOperator": "GreaterThanThreshold",
             "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:ops"], "Tags": [{"Key": "dmsctl:stack", "Value": "s"}]}
    assert call("PutMetricAlarm", alarm)[0] == 200
    status, _, doc = call("DescribeAlarms", {"AlarmNames": ["cdc-latency"]})
    a = doc["MetricAlarms"][0]
    assert status == 200 and a["StateValue"] == "INSUFFICIENT_DATA"  # "immediately set to INSUFFICIENT_DATA"
    assert a["Threshold"] == 600.0 and a["Period"] == 300 and a["AlarmArn"] == \
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:cdc-latency"
    arn = a["AlarmArn"]
    # an update replaces the configuration, keeps the state, ignores Tags
    assert call("PutMetricAlarm", {**alarm, "Threshold": 900.0, "EvaluationPeriods": 5,
                                   "Tags": [{"Key": "other", "Value": "x"}]})[0] == 200
    a2 = call("DescribeAlarms", {"AlarmNames": ["cdc-latency"]})[2]["MetricAlarms"]
    assert len(a2) == 1 and a2[0]["Threshold"] == 900.0 and a2[0]["EvaluationPeriods"] == 5
    assert a2[0]["StateValue"] == "INSUFFICIENT_DATA"
    assert call("ListTagsForResource", {"ResourceARN": arn})[2] == {"Tags": [{"Key": "dmsctl:stack", "Value": "s"}]}
    assert call("TagResource", {"ResourceARN": arn, "Tags": [{"Key": "env", "Value": "prod"}]})[0] == 200
    assert call("UntagResource", {"ResourceARN": arn, "TagKeys": ["dmsctl:stack", "env"]})[0] == 200
    assert call("UntagResource", {"ResourceARN": arn, "TagKeys": ["gone"]})[0] == 200  # moto: refused untagged alarms
    assert call("ListTagsForResource", {"ResourceARN": arn})[2] == {"Tags": []}
    status, qerr, doc = call("ListTagsForResource", {"ResourceARN": arn + "-nope"})
    assert status == 404 and doc["__type"] == "ResourceNotFoundException" and qerr.startswith("ResourceNotFound")
    # prefix, paging
    for i in range(5):
        call("PutMetricAlarm", {**alarm, "AlarmName": f"dms-{i}"})
    names, token, pages = [], None, 0
    while True:
        status, _, doc = call("DescribeAlarms", {"AlarmNamePrefix": "dms-", "MaxRecords": 2,
                                                 **({"NextToken": token} if token else {})})
        assert status == 200
        names += [x["AlarmName"] for x in doc["MetricAlarms"]]
        pages += 1
        token = doc.get("NextToken")
        if not token:
            break
    assert names == [f"dms-{i}" for i in range(5)] and pages == 3
    assert call("DescribeAlarms", {"NextToken": "garbage"})[2]["__type"] == "InvalidNextToken"
    assert call("DescribeAlarms", {"AlarmNames": ["x"], "AlarmNamePrefix": "d"})[1].startswith(
        "InvalidParameterCombination")
    assert call("DescribeAlarms", {"MaxRecords": 101})[1].startswith("ValidationError")
    # validation
    for bad, code in (({"Period": 45}, "ValidationError"), ({"Period": 90}, "ValidationError"),
                      ({"EvaluationPeriods": 0}, "ValidationError"),
                      ({"ComparisonOperator": "Bigger"}, "ValidationError"),
                      ({"Statistic": "Median"}, "ValidationError"),
                      ({"ExtendedStatistic": "p99"}, "InvalidParameterCombination"),
                      ({"Threshold": None}, "MissingParameter"), ({"EvaluationPeriods": None}, "MissingParameter"),
                      ({"Period": None}, "MissingParameter"), ({"DatapointsToAlarm": 9}, "ValidationError"),
                      ({"ComparisonOperator": "GreaterThanUpperThreshold"}, "ValidationError")):
        body = {k: v for k, v in {**alarm, "AlarmName": "bad", **bad}.items() if v is not None}
        status, qerr, doc = call("PutMetricAlarm", body)
        assert status == 400 and qerr.split(";")[0] == code, (bad, status, qerr, doc)
    for ok in ({"Period": 10}, {"Period": 30}, {"Period": 120}):
        assert call("PutMetricAlarm", {**alarm, "AlarmName": "ok", **ok})[0] == 200
    assert call("DescribeAlarms", {"AlarmNames": ["bad"]})[2]["MetricAlarms"] == []
    # delete: unknown names -> ResourceNotFound (the operation's error); tags go with the alarm
    status, qerr, doc = call("DeleteAlarms", {"AlarmNames": ["cdc-latency", "nope"]})
    assert status == 404 and doc["__type"] == "ResourceNotFound" and qerr == "ResourceNotFound;Sender"
    assert call("TagResource", {"ResourceARN": arn, "Tags": [{"Key": "k", "Value": "v"}]})[0] == 200
    assert call("DeleteAlarms", {"AlarmNames": ["cdc-latency"]})[0] == 200
    assert call("PutMetricAlarm", {**alarm, "Tags": []})[0] == 200
    assert call("ListTagsForResource", {"ResourceARN": arn})[2] == {"Tags": []}
    calls = rq.get(url + "/_dmsctl/calls").json()["calls"]
    assert calls["cloudwatch:PutMetricAlarm"] == 22 and calls["cloudwatch:DeleteAlarms"] == 2
    rq.post(url + "/_dmsctl/faults", json={"operation": "cloudwatch:PutMetricAlarm", "error": "LimitExceeded"})
    assert call("PutMetricAlarm", alarm)[2]["__type"] == "LimitExceeded"
    rq.post(url + "/_dmsctl/reset", json={"services": ["cloudwatch"]}).raise_for_status()
    assert call("DescribeAlarms", {})[2]["MetricAlarms"] == []


def test_serverless_premigration_assessments(url, dms, world):
    src, tgt, _ = world
    arn = dms.config("cfg-assess", src, tgt)["ReplicationConfigArn"]
    start = {"ReplicationConfigArn": arn, "StartReplicationType": "start-replication"}
    # The settings are a JSON string of the reference's members; anything else is refused
    # before the replication starts.
    for bad, code in [("not json", "InvalidParameterValueException"),
                      ('["a"]', "InvalidParameterValueException"),
                      ('{"ResultLocationBucket": "b"}', "InvalidParameterValueException"),
                      ('{"ResultEncryptionMode": "AES"}', "InvalidParameterValueException"),
                      ('{"IncludeOnly": ["a"], "Exclude": ["b"]}', "InvalidParameterCombinationException"),
                      ('{"ResultKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}',
                       "InvalidParameterCombinationException")]:
        dms.error("StartReplication", code, PremigrationAssessmentSettings=bad, **start)
    assert dms.replication(arn)["Status"] == "created"

    # Seeded with a failed assessment: it runs for one describe, then the replication stays
    # stopped, as FailOnAssessmentFailure (the default) asks.
    r = requests.put(url + "/_dmsctl/assessment-results", json={arn: [
        {"IndividualAssessmentName": "unsupported-data-types-in-source", "Status": "passed"},
        {"IndividualAssessmentName": "full-lob-not-nullable-at-target", "Status": "failed",
         "LastFailureMessage": "LOB column NOT NULL on target"}]})
    assert r.status_code == 200, r.text
    out = dms("StartReplication", PremigrationAssessmentSettings='{"ResultLocationFolder": "f"}', **start)
    first = out["Replication"]["PremigrationAssessmentStatuses"][0]
    assert first["Status"] == "running" and first["FailOnAssessmentFailure"] is True
    assert first["PremigrationAssessmentRunArn"].startswith("arn:aws:dms:us-east-1:123456789012:assessment-run:")
    assert first["ResultLocationBucket"].startswith("dms-serverless-premigration-results-")
    assert first["ResultLocationFolder"] == "f"
    rep = dms.replication(arn)
    done = rep["PremigrationAssessmentStatuses"][0]
    assert done["Status"] == "failed" and done["LastFailureMessage"] == "LOB column NOT NULL on target"
    assert done["ResultStatistic"]["Failed"] == 1 and done["ResultStatistic"]["Passed"] == 1
    assert rep["Status"] == "stopped" and rep["StopReason"] == "PREMIGRATION_ASSESSMENT_FAILED"
    starts = requests.get(url + "/_dmsctl/starts").json()["starts"]
    assert starts[-1]["premigration_assessment_settings"] == {"ResultLocationFolder": "f"}

    # Passed (one assessment excluded): the replication goes on to run.
    requests.put(url + "/_dmsctl/assessment-results", json={}).raise_for_status()
    set_transition(url, "dms::replication", {"progression": "immediate"})
    out = dms("StartReplication", PremigrationAssessmentSettings=json.dumps(
        {"Exclude": ["full-lob-not-nullable-at-target"], "FailOnAssessmentFailure": True}), **start)
    assert len(out["Replication"]["PremigrationAssessmentStatuses"]) == 2
    rep = dms.replication(arn)
    assert rep["PremigrationAssessmentStatuses"][-1]["Status"] == "passed"
    assert rep["Status"] == "running"
