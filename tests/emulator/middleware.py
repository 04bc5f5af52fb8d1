"""WSGI middleware in front of moto's server app.

It does these things, none of which moto's server can do by itself:

* ``/_dmsctl/*`` control API (health, fault injection, call counting, reset,
  table-statistics, cost-allocation-tag, price-list and provisioned-capacity
  seeding, and dms_patches.CONTROL_STORES: reload, start and move logs, seeded
  connection results, recovery checkpoints and assessment results); see
  README.md for the exact API.
* fault injection: the next N calls of an operation fail with a given error
  (or are delayed), before moto sees them;
* call counting per operation, for tests and benchmarks;
* DMS response normalisation against botocore's copy of the DMS service
  model: every member the model types as ``timestamp`` becomes epoch seconds
  (moto 5.2.5 writes ISO-8601 strings, which the AWS JSON 1.1 protocol does
  not use and the Rust SDK refuses to parse), ``null`` members are dropped
  (AWS omits unset members), and Content-Type is application/x-amz-json-1.1.
* a Smithy RPC v2 CBOR bridge: the Rust SDK calls CloudWatch (metrics) with
  ``POST /service/GraniteServiceVersion20100801/operation/<Op>`` and a CBOR
  body, which moto 5.2.5 cannot parse; the request is rewritten to the AWS
  JSON 1.0 protocol moto does speak, and the answer encoded back to CBOR,
  typed by botocore's model (timestamps as CBOR tag 1, doubles as floats).
* the AWS Price List API (``pricing``, absent from moto) is answered here, by
  ``pricing.PriceList``; Cost Explorer (``ce``) answers get the same JSON 1.1
  normalisation as DMS.
"""

from __future__ import annotations

import io
import json
import threading
import time
import traceback
import uuid
from collections import Counter
from datetime import datetime, timezone
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

# X-Amz-Target prefixes -> service names used in operation keys ("dms:CreateEndpoint").
TARGET_PREFIXES = {"AmazonDMSv20160101": "dms", "Logs_20140328": "logs",
                   "GraniteServiceVersion20100801": "cloudwatch",
                   # Cost Explorer and the Price List API (botocore models'
                   # metadata.targetPrefix; signing names ce and pricing).
                   "AWSInsightsIndexService": "ce", "AWSPriceListService": "pricing"}
JSON_SERVICES = {"dms", "logs", "cloudwatch", "secretsmanager", "ce", "pricing"}
# Services whose moto answers the middleware normalises (JSON 1.1, typed by botocore's model).
NORMALISED_SERVICES = {"dms", "ce"}
# What POST /_dmsctl/reset resets without a body.  "pricing" is not a moto
# backend: the middleware clears its price list itself.
DEFAULT_RESET_SERVICES = ["dms", "logs", "ce", "pricing"]
# Smithy RPC v2 CBOR service names -> (service key, botocore model name).
CBOR_SERVICES = {"GraniteServiceVersion20100801": ("cloudwatch", "cloudwatch")}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_to_epoch(value: str) -> Any:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if dt.tzinfo is None:  # moto's utcnow() is naive UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


class DmsShapes:
    """Output shapes of the DMS API, from botocore's bundled service model."""

    def __init__(self) -> None:
        import botocore.session

        self.session = botocore.session.Session()
        self.models = {"dms": self.session.get_service_model("dms")}

    def output_shape(self, operation: str, service: str = "dms") -> Any:
        try:
            if service not in self.models:
                self.models[service] = self.session.get_service_model(service)
            return self.models[service].operation_model(operation).output_shape
        except Exception:
            return None

    def normalise(self, value: Any, shape: Any) -> Any:
        if value is None or shape is None:
            return value
        t = shape.type_name
        if t == "structure" and isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if v is None:
                    continue
                member = shape.members.get(k)
                out[k] = self.normalise(v, member) if member is not None else v
            return out
        if t == "list" and isinstance(value, list):
            return [self.normalise(v, shape.member) for v in value if v is not None]
        if t == "map" and isinstance(value, dict):
            return {k: self.normalise(v, shape.value) for k, v in value.items() if v is not None}
        if t == "timestamp" and isinstance(value, str):
            return _iso_to_epoch(value)
        return value


class EmulatorMiddleware:
    def __init__(self, app: Callable, reset_backends: Callable[[], None] | None = None,
                 set_table_statistics: Callable[..., None] | None = None,
                 cost_allocation_tags: tuple[Callable, Callable] | None = None,
                 provisioned_capacity: tuple[Callable, Callable] | None = None,
                 extra_stores: dict[str, tuple[Callable | None, Callable]] | None = None):
        from pricing import PriceList

        self.app = app
        self.reset_backends = reset_backends
        self.set_table_statistics = set_table_statistics
        # (set, get) hooks of the seeded stores that live in moto's backends
        # (so that moto's reset clears them).
        self.cost_allocation_tags = cost_allocation_tags
        self.provisioned_capacity = provisioned_capacity
        # More (set or None, get) stores by path, from dms_patches.CONTROL_STORES:
        # reloads, starts, moves, connection-results, recovery-checkpoints, assessment-results.
        self.extra_stores = dict(extra_stores or {})
        self.price_list = PriceList()
        self.lock = threading.Lock()
        self.faults: list[dict[str, Any]] = []
        self.next_fault_id = 1
        self.chaos: dict[str, Any] | None = None
        self.calls: Counter[str] = Counter()
        self.shapes = DmsShapes()

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_dmsctl/") or path == "/_dmsctl":
            return self.control(environ, start_response)
        service, operation = self.identify(environ)
        if operation is None:
            return self.app(environ, start_response)
        key = f"{service}:{operation}"
        with self.lock:
            self.calls[key] += 1
            fault = self._take_fault(service, operation) or self._chaos_fault(service)
        if fault is not None:
            if fault.get("delay_ms"):
                time.sleep(fault["delay_ms"] / 1000.0)
            if fault.get("error"):
                cbor = _cbor_route(environ) is not None
                if fault.get("after"):
                    # The call takes effect, then its answer is lost: what a dropped
                    # connection or a 500 after the commit looks like to the client.
                    result = self._answer(environ, lambda status, headers, exc_info=None: None,
                                          service, operation)
                    b"".join(result)
                    if hasattr(result, "close"):
                        result.close()
                return self._error(start_response, service, fault, cbor)
        return self._answer(environ, start_response, service, operation)

    def _answer(self, environ: dict, start_response: Callable, service: str,
                operation: str) -> Iterable[bytes]:
        if service == "pricing":
            return self._pricing(environ, start_response, operation)
        if service in NORMALISED_SERVICES:
            return self._normalised(environ, start_response, service, operation)
        if _cbor_route(environ) is not None:
            return self._cbor(environ, start_response, operation)
        return self.app(environ, start_response)

    def identify(self, environ: dict) -> tuple[str, str | None]:
        """(service, operation) of an AWS API request, or (.., None)."""
        cbor = _cbor_route(environ)
        if cbor is not None:
            return CBOR_SERVICES[cbor[0]][0], cbor[1]
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target and "." in target:
            prefix, op = target.split(".", 1)
            return TARGET_PREFIXES.get(prefix, prefix.lower()), op
        # Query protocol (IAM, STS, ...): Action= in the query string or form body.
        action = parse_qs(environ.get("QUERY_STRING", "")).get("Action", [None])[0]
        if action is None and environ.get("CONTENT_TYPE", "").startswith(
                "application/x-www-form-urlencoded"):
            body = self._read_body(environ)
            action = parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
        if action is None:
            return "", None
        return self._signing_service(environ) or "query", action

    @staticmethod
    def _signing_service(environ: dict) -> str | None:
        # "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/iam/aws4_request, ..."
        auth = environ.get("HTTP_AUTHORIZATION", "")
        try:
            return auth.split("Credential=", 1)[1].split(",")[0].split("/")[3]
        except IndexError:
            return None

    @staticmethod
    def _read_body(environ: dict) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    # ---------------------------------------------------------------- faults
    def _chaos_fault(self, service: str) -> dict | None:
        """A random fault for a call of a chaos service, or None (caller holds the lock).

        Half the faults are throttling (400, before the call runs); the other half
        are 500 InternalFailure, every other one after the call took effect.
        """
        chaos = self.chaos
        if chaos is None or service not in chaos["services"]:
            return None
        if chaos["rng"].random() >= chaos["rate"]:
            return None
        if chaos["rng"].random() < 0.5:
            chaos["injected"]["throttled"] += 1
            return {"error": "ThrottlingException", "status": 400, "message": "Rate exceeded"}
        chaos["server_errors"] += 1
        after = chaos["server_errors"] % 2 == 0
        chaos["injected"]["500 after the effect" if after else "500 before the effect"] += 1
        return {"error": "InternalFailure", "status": 500, "after": after,
                "message": "We encountered an internal error. Please try again."}

    def _set_chaos(self, spec: Any) -> dict:
        import random

        if not isinstance(spec, dict):
            raise ValueError("chaos needs {\"rate\": 0.3, \"seed\": 1, \"services\": [\"dms\"]}")
        rate, seed = spec.get("rate"), spec.get("seed", 0)
        services = spec.get("services", ["dms"])
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError("\"rate\" must be a number from 0 to 1")
        if not isinstance(seed, int):
            raise ValueError("\"seed\" must be an integer")
        if not isinstance(services, list) or not all(isinstance(x, str) for x in services):
            raise ValueError("\"services\" must be a list of service names")
        with self.lock:
            self.chaos = {"rate": float(rate), "seed": seed, "services": services,
                          "rng": random.Random(seed), "server_errors": 0,
                          "injected": Counter()}
            return self._chaos_public()

    def _chaos_public(self) -> dict:
        chaos = self.chaos
        if chaos is None:
            return {"chaos": None}
        return {"chaos": {"rate": chaos["rate"], "seed": chaos["seed"],
                          "services": chaos["services"], "injected": dict(chaos["injected"])}}

    def _take_fault(self, service: str, operation: str) -> dict | None:
        for fault in self.faults:
            op = fault["operation"]
            if op == operation or op == f"{service}:{operation}":
                if fault["remaining"] is not None:
                    fault["remaining"] -= 1
                    if fault["remaining"] <= 0:
                        self.faults.remove(fault)
                return dict(fault)
        return None

    def _error(self, start_response: Callable, service: str, fault: dict,
               cbor: bool = False) -> list[bytes]:
        status = int(fault.get("status") or 400)
        code = fault["error"]
        message = fault.get("message") or f"Injected {code} (dmsctl emulator fault injection)"
        request_id = str(uuid.uuid4())
        if cbor:
            import cbor2

            body = cbor2.dumps({"__type": code, "message": message})
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                       ("x-amzn-RequestId", request_id)]
        elif service in JSON_SERVICES:
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"),
                       ("x-amzn-ErrorType", code), ("x-amzn-RequestId", request_id)]
        else:  # query protocol (IAM): XML error document
            kind = "Receiver" if status >= 500 else "Sender"
            body = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>"
                    f"<Message>{_xml_escape(message)}</Message></Error>"
                    f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
            headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {_reason(status)}", headers)
        return [body]

    # ------------------------------------------------- DMS/CE normalising
    def _normalised(self, environ: dict, start_response: Callable, service: str,
                    operation: str) -> list[bytes]:
        status, headers, body = self._call_app(environ)
        code = int(status.split(" ", 1)[0])
        if 200 <= code < 300:
            shape = self.shapes.output_shape(operation, service)
            try:
                doc = json.loads(body or b"{}")
            except ValueError:
                doc = None
            if shape is not None and isinstance(doc, dict):
                body = json.dumps(self.shapes.normalise(doc, shape)).encode()
        elif code >= 500 and not body.lstrip().startswith(b"{"):
            # moto answers operations it lacks (and crashes) with an HTML 500
            # page, which SDKs retry and then report as an unparseable error.
            # Say what happened instead, in the protocol's error format.
            if _implemented(service, operation):
                status, err = "500 Internal Server Error", {
                    "__type": "InternalFailure",
                    "message": f"emulator error while handling {operation}; see the emulator's log"}
            else:
                status, err = "501 Not Implemented", {
                    "__type": "NotImplemented",
                    "message": f"{service} {operation} is not implemented by the dmsctl emulator (moto 5.2.5)"}
            body = json.dumps(err).encode()
            headers = [("x-amzn-ErrorType", err["__type"])]
        headers = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]

    # ------------------------------------------------------ Price List
    def _pricing(self, environ: dict, start_response: Callable, operation: str) -> list[bytes]:
        from pricing import PricingError

        try:
            body = self._read_body(environ)
            try:
                params = json.loads(body) if body.strip() else {}
            except ValueError:
                raise PricingError("SerializationException", "The request body is not valid JSON") from None
            status, doc = 200, self.price_list.handle(operation, params)
            headers = []
        except PricingError as e:
            status, doc = e.status, {"__type": e.code, "message": e.message}
            headers = [("x-amzn-ErrorType", e.code)]
        out = json.dumps(doc).encode()
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(out))),
                    ("x-amzn-RequestId", str(uuid.uuid4()))]
        start_response(f"{status} {_reason(status)}", headers)
        return [out]

    # ------------------------------------------------------ CBOR bridge
    def _cbor(self, environ: dict, start_response: Callable, operation: str) -> list[bytes]:
        import cbor2

        service_name, _ = _cbor_route(environ)
        model_name = CBOR_SERVICES[service_name][1]
        request = cbor2.loads(self._read_body(environ) or b"\xa0")
        body = json.dumps(_jsonable(request)).encode()
        environ = dict(environ)
        environ.pop("HTTP_SMITHY_PROTOCOL", None)
        environ.update({
            "PATH_INFO": "/",
            "HTTP_X_AMZ_TARGET": f"{service_name}.{operation}",
            "CONTENT_TYPE": "application/x-amz-json-1.0",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        })
        status, headers, answer = self._call_app(environ)
        code = int(status.split(" ", 1)[0])
        try:
            doc = json.loads(answer or b"{}")
        except ValueError:
            doc = {"__type": "InternalFailure",
                   "message": f"emulator error while handling {operation}; see the emulator's log"}
            status = "500 Internal Server Error"
        if 200 <= code < 300:
            shape = self.shapes.output_shape(operation, model_name)
            doc = _cbor_typed(doc, shape)
        elif isinstance(doc, dict) and "__type" in doc:
            doc["__type"] = str(doc["__type"]).rsplit("#", 1)[-1]
        query_error = None
        if not 200 <= code < 300 and isinstance(doc, dict) and "__type" in doc:
            # CloudWatch is awsQueryCompatible: __type is the error's shape name,
            # x-amzn-query-error ("Code;Sender") the query code the SDKs report.
            header = next((v for k, v in headers if k.lower() == "x-amzn-query-error"), None)
            doc["__type"], query_error = self._query_error(model_name, operation, doc["__type"], code, header)
        out = cbor2.dumps(doc, datetime_as_timestamp=True)
        headers = [(k, v) for k, v in headers
                   if k.lower() not in ("content-type", "content-length", "x-amz-target", "x-amzn-query-error")]
        if query_error:
            headers.append(("x-amzn-query-error", query_error))
        headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                    ("Content-Length", str(len(out)))]
        start_response(status, headers)
        return [out]

    def _query_error(self, model_name: str, operation: str, error_type: str, status: int,
                     header: str | None) -> tuple[str, str]:
        """(__type, x-amzn-query-error) of an error of an awsQueryCompatible CBOR service.

        moto sends the query code in x-amzn-query-error ("Code;Sender"), which the
        SDKs report as the error code; its __type is the first model shape with
        that code, which for a shared code (ResourceNotFound: DashboardNotFoundError
        and ResourceNotFound) may not be the operation's.  Prefer the shape the
        operation's error list names."""
        if model_name not in self.shapes.models:
            self.shapes.output_shape(operation, model_name)  # loads the model
        model = self.shapes.models.get(model_name)
        fault = "Receiver" if status >= 500 else "Sender"
        code = header.split(";", 1)[0] if header else None
        shapes = list(model.error_shapes) if model is not None else []
        if code is None:
            code = next(((sh.metadata.get("error") or {}).get("code") or sh.name
                         for sh in shapes if sh.name == error_type), error_type)
        try:
            op_errors = model.operation_model(operation).error_shapes
        except Exception:
            op_errors = []
        for sh in op_errors:
            if ((sh.metadata.get("error") or {}).get("code") or sh.name) == code:
                return sh.name, header or f"{code};{fault}"
        return error_type, header or f"{code};{fault}"

    def _call_app(self, environ: dict) -> tuple[str, list, bytes]:
        """moto's answer, whole: (status line, headers, body); an exception is a bare 500."""
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            result = self.app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            return captured["status"], list(captured["headers"]), body
        except Exception:  # moto's Flask app propagates exceptions (debug mode)
            traceback.print_exc()
            return "500 Internal Server Error", [], b""

    # --------------------------------------------------------- control API
    def control(self, environ: dict, start_response: Callable) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").rstrip("/")
        try:
            body = self._read_body(environ)
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            return self._json(start_response, 400, {"error": "request body is not JSON"})
        try:
            if path == "/_dmsctl/health" and method == "GET":
                return self._json(start_response, 200, {"status": "ok"})
            if path == "/_dmsctl/faults":
                if method == "GET":
                    with self.lock:
                        return self._json(start_response, 200, {"faults": [self._public(f) for f in self.faults]})
                if method == "DELETE":
                    with self.lock:
                        self.faults.clear()
                    return self._json(start_response, 200, {"faults": []})
                if method == "POST":
                    specs = payload if isinstance(payload, list) else [payload]
                    added = [self._add_fault(s) for s in specs]
                    return self._json(start_response, 201, {"faults": added})
            if path == "/_dmsctl/chaos":
                if method == "GET":
                    with self.lock:
                        return self._json(start_response, 200, self._chaos_public())
                if method == "DELETE":
                    with self.lock:
                        self.chaos = None
                    return self._json(start_response, 200, {"chaos": None})
                if method in ("POST", "PUT"):
                    return self._json(start_response, 201, self._set_chaos(payload))
            if path == "/_dmsctl/calls":
                if method == "GET":
                    with self.lock:
                        calls = dict(sorted(self.calls.items()))
                    return self._json(start_response, 200, {"total": sum(calls.values()), "calls": calls})
                if method == "DELETE":
                    with self.lock:
                        self.calls.clear()
                    return self._json(start_response, 200, {"total": 0, "calls": {}})
            if path == "/_dmsctl/reset" and method == "POST":
                # body {"services": ["dms", "logs", "iam"]} or {"services": "all"};
                # default: dms, logs, ce and pricing (IAM's reset reloads ~1000
                # managed policies).
                services = (payload or {}).get("services", DEFAULT_RESET_SERVICES)
                if services != "all" and (not isinstance(services, list)
                                          or not all(isinstance(s, str) for s in services)):
                    raise ValueError("\"services\" must be a list of service names or \"all\"")
                with self.lock:
                    self.faults.clear()
                    self.calls.clear()
                    self.chaos = None
                if services == "all" or "pricing" in services:
                    self.price_list.reset()
                if self.reset_backends:
                    self.reset_backends(None if services == "all"
                                        else [s for s in services if s != "pricing"])
                return self._json(start_response, 200, {"status": "ok", "services": services})
            if path == "/_dmsctl/table-statistics" and method in ("POST", "PUT"):
                # {"ReplicationTaskArn": ..., "TableStatistics": [...]}    -> DescribeTableStatistics
                # {"ReplicationConfigArn": ..., "TableStatistics": [...]}  -> DescribeReplicationTableStatistics
                usage = ("body must be {\"ReplicationTaskArn\": ..., \"TableStatistics\": [...]} "
                         "or {\"ReplicationConfigArn\": ..., \"TableStatistics\": [...]}")
                if not isinstance(payload, dict):
                    raise ValueError(usage)
                kinds = [(k, kind) for k, kind in (("ReplicationTaskArn", "task"),
                                                   ("ReplicationConfigArn", "replication-config"))
                         if k in payload]
                if len(kinds) != 1:
                    raise ValueError(usage)
                key, kind = kinds[0]
                arn = payload[key]
                parts = arn.split(":") if isinstance(arn, str) else []
                if len(parts) < 7:
                    raise ValueError(f"{key} is not an ARN: {arn!r}")
                rows = payload.get("TableStatistics") or []
                if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                    raise ValueError("\"TableStatistics\" must be a list of TableStatistics objects")
                self.set_table_statistics(parts[4], parts[3], arn, rows, kind)
                return self._json(start_response, 200, {"status": "ok"})
            # Seeded stores: PUT replaces the whole store, GET returns it as PUT takes it.
            stores = {
                "/_dmsctl/cost-allocation-tags": self.cost_allocation_tags,
                "/_dmsctl/provisioned-capacity": self.provisioned_capacity,
                "/_dmsctl/price-list": (self.price_list.seed, self.price_list.get),
                **self.extra_stores,
            }
            if path in stores and stores[path] is not None:
                set_store, get_store = stores[path]
                if method == "GET":
                    return self._json(start_response, 200, get_store())
                if method in ("PUT", "POST") and set_store is not None:
                    set_store(payload)
                    return self._json(start_response, 200, {"status": "ok"})
        except (ValueError, KeyError, TypeError) as e:
            return self._json(start_response, 400, {"error": str(e)})
        except Exception as e:  # e.g. ResourceNotFoundFault from the backend
            return self._json(start_response, 400, {"error": f"{type(e).__name__}: {getattr(e, 'message', e)}"})
        return self._json(start_response, 404, {"error": f"no control route {method} {path}"})

    def _add_fault(self, spec: Any) -> dict:
        if not isinstance(spec, dict) or not isinstance(spec.get("operation"), str) or not spec["operation"]:
            raise ValueError("a fault needs \"operation\", e.g. \"CreateEndpoint\" or \"dms:CreateEndpoint\"")
        count = spec.get("count", 1)
        if count is not None and (not isinstance(count, int) or count < 0):
            raise ValueError("\"count\" must be a non-negative integer, 0 or null meaning every call")
        error = spec.get("error")
        delay = spec.get("delay_ms", 0) or 0
        if error is None and not delay:
            raise ValueError("a fault needs \"error\" and/or \"delay_ms\"")
        if not isinstance(delay, (int, float)) or delay < 0:
            raise ValueError("\"delay_ms\" must be a non-negative number")
        status = int(spec.get("status") or 400)
        if not 100 <= status <= 599:
            raise ValueError("\"status\" must be an HTTP status code")
        after = spec.get("after", False)
        if not isinstance(after, bool) or (after and error is None):
            raise ValueError("\"after\" is true or false, and true needs \"error\"")
        with self.lock:
            fault = {
                "id": self.next_fault_id,
                "operation": spec["operation"],
                "remaining": count if count else None,
                "error": error,
                "status": status,
                "message": spec.get("message"),
                "delay_ms": delay,
                "after": after,
                "created": _now(),
            }
            self.next_fault_id += 1
            self.faults.append(fault)
            return self._public(fault)

    @staticmethod
    def _public(fault: dict) -> dict:
        return dict(fault)

    @staticmethod
    def _json(start_response: Callable, status: int, doc: Any) -> list[bytes]:
        body = json.dumps(doc).encode()
        start_response(f"{status} {_reason(status)}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _implemented(service: str, operation: str) -> bool:
    """Whether moto (with the patches) has a handler for the operation."""
    from moto.core.utils import camelcase_to_underscores

    if service == "ce":
        from moto.ce.responses import CostExplorerResponse as Resp
    else:
        from moto.dms.responses import DatabaseMigrationServiceResponse as Resp
    return callable(getattr(Resp, camelcase_to_underscores(operation), None))


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cbor_route(environ: dict) -> tuple[str, str] | None:
    """(service, operation) of a Smithy RPC v2 CBOR request the bridge handles."""
    if environ.get("HTTP_SMITHY_PROTOCOL") != "rpc-v2-cbor":
        return None
    parts = environ.get("PATH_INFO", "").strip("/").split("/")
    if len(parts) == 4 and parts[0] == "service" and parts[2] == "operation" \
            and parts[1] in CBOR_SERVICES:
        return parts[1], parts[3]
    return None


def _jsonable(value: Any) -> Any:
    """A decoded CBOR request as the AWS JSON protocol writes it (epoch-second timestamps)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.timestamp()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return value


def _cbor_typed(value: Any, shape: Any) -> Any:
    """moto's JSON answer typed for CBOR by the botocore shape: timestamps become tag 1
    over epoch seconds, doubles floats, and null members are dropped."""
    if value is None or shape is None:
        return value
    t = shape.type_name
    if t == "structure" and isinstance(value, dict):
        return {k: _cbor_typed(v, shape.members.get(k)) for k, v in value.items()
                if v is not None}
    if t == "list" and isinstance(value, list):
        return [_cbor_typed(v, shape.member) for v in value if v is not None]
    if t == "map" and isinstance(value, dict):
        return {k: _cbor_typed(v, shape.value) for k, v in value.items() if v is not None}
    if t == "timestamp":
        if isinstance(value, str):
            value = _iso_to_epoch(value)
        if isinstance(value, (int, float)):
            import cbor2

            # Tag 1 over a double, as AWS sends it (cbor2 would write an integer
            # for whole seconds).
            return cbor2.CBORTag(1, float(value))
        return value
    if t in ("double", "float") and isinstance(value, (int, float)):
        return float(value)
    return value
