"""The AWS Price List Query API (``pricing``), which moto 5.2.5 lacks entirely.

What ``dmsctl cost --prices aws`` needs: ``GetProducts`` (and
``DescribeServices``), AWS JSON 1.1 with ``X-Amz-Target:
AWSPriceListService.<Op>``, answered from product documents that tests seed
through ``PUT /_dmsctl/price-list``.  The middleware routes the calls here
(moto never sees them), so fault injection and call counting work as for any
other service.  The reference is the Price List API reference, whose text
ships with botocore as ``botocore/data/pricing/2017-10-15/service-2.json``.

Price List data is public, not per account: one list serves every caller.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from typing import Any

# FormatVersion: "Valid values are: aws_v1".
FORMAT_VERSIONS = ("aws_v1",)
# Filter.Type (the model's FilterType enum).
FILTER_TYPES = ("TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF")
# GetProductsMaxResults / DescribeServicesMaxResults: 1..100.  The reference
# names no default; AWS pages at 100, the maximum.
MAX_RESULTS = (1, 100)
# Filters: max 50; Field and Value: 1..1024 characters.
MAX_FILTERS = 50
MAX_FIELD_LEN = 1024


class PricingError(Exception):
    """An error of the Price List API: `code` is the model's error shape name."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _invalid(message: str) -> PricingError:
    # "One or more parameters had an invalid value."
    return PricingError("InvalidParameterException", message)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class PriceList:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.documents: list[dict] = []
        # Bumped whenever the list is replaced: a token issued before answers
        # ExpiredNextTokenException ("The pagination token expired").
        self.generation = 0

    # ------------------------------------------------------------ seeding
    def seed(self, documents: Any) -> int:
        """Replace the whole list (PUT /_dmsctl/price-list).  Each document is one
        PriceList entry of the real API, as an object; ValueError if it is not."""
        if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
            raise ValueError("body must be a JSON list of price-list product documents "
                             "({\"product\": {...}, \"serviceCode\": ..., \"terms\": {...}, ...})")
        for i, d in enumerate(documents):
            product = d.get("product")
            if not isinstance(d.get("serviceCode"), str) or not d["serviceCode"]:
                raise ValueError(f"document {i}: \"serviceCode\" (string) is required")
            if not isinstance(product, dict) or not isinstance(product.get("sku"), str):
                raise ValueError(f"document {i}: \"product\" with a \"sku\" string is required")
            attrs = product.get("attributes", {})
            if not isinstance(attrs, dict) or not all(isinstance(v, str) for v in attrs.values()):
                raise ValueError(f"document {i}: \"product.attributes\" must map names to strings")
            if "terms" in d and not isinstance(d["terms"], dict):
                raise ValueError(f"document {i}: \"terms\" must be an object")
        with self.lock:
            self.documents = [json.loads(json.dumps(d)) for d in documents]
            self.generation += 1
            return len(self.documents)

    def get(self) -> list[dict]:
        with self.lock:
            return list(self.documents)

    def reset(self) -> None:
        with self.lock:
            self.documents = []
            self.generation += 1

    # ----------------------------------------------------------- dispatch
    def handle(self, operation: str, params: Any) -> dict:
        """The answer document of `operation`, or PricingError."""
        if not isinstance(params, dict):
            raise PricingError("SerializationException", "The request body must be a JSON object")
        if operation == "GetProducts":
            return self.get_products(params)
        if operation == "DescribeServices":
            return self.describe_services(params)
        raise PricingError("NotImplemented",
                           f"Price List {operation} is not implemented by the dmsctl emulator", 501)

    # --------------------------------------------------------- operations
    def get_products(self, p: dict) -> dict:
        service_code = p.get("ServiceCode")
        if not isinstance(service_code, str) or not service_code:
            raise _invalid("ServiceCode is required")
        self._format_version(p)
        max_results = self._max_results(p)
        filters = self._filters(p.get("Filters"))
        query = _canonical({"op": "GetProducts", "ServiceCode": service_code,
                            "Filters": filters, "FormatVersion": p.get("FormatVersion")})
        with self.lock:
            offset = self._decode_token(query, p.get("NextToken"))
            # The reference says nothing of unknown service codes: they simply
            # match no product (an empty PriceList).
            matching = [d for d in self.documents if d["serviceCode"] == service_code
                        and all(_matches(d, f) for f in filters)]
            page = matching[offset:offset + max_results]
            doc: dict[str, Any] = {"FormatVersion": "aws_v1",
                                   # PriceListJsonItems: each entry a JSON *string*
                                   # (the model marks the member "jsonvalue").
                                   "PriceList": [json.dumps(d) for d in page]}
            if offset + max_results < len(matching):
                doc["NextToken"] = self._encode_token(query, offset + max_results)
        return doc

    def describe_services(self, p: dict) -> dict:
        service_code = p.get("ServiceCode")
        if service_code is not None and (not isinstance(service_code, str) or not service_code):
            raise _invalid("ServiceCode must be a non-empty string")
        self._format_version(p)
        max_results = self._max_results(p)
        query = _canonical({"op": "DescribeServices", "ServiceCode": service_code,
                            "FormatVersion": p.get("FormatVersion")})
        with self.lock:
            offset = self._decode_token(query, p.get("NextToken"))
            services: dict[str, set[str]] = {}
            for d in self.documents:
                names = services.setdefault(d["serviceCode"], set())
                names.update(d["product"].get("attributes", {}))
            listed = [{"ServiceCode": code, "AttributeNames": sorted(names)}
                      for code, names in services.items()
                      if service_code is None or code == service_code]
            page = listed[offset:offset + max_results]
            doc: dict[str, Any] = {"Services": page, "FormatVersion": "aws_v1"}
            if offset + max_results < len(listed):
                doc["NextToken"] = self._encode_token(query, offset + max_results)
        return doc

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _format_version(p: dict) -> None:
        fv = p.get("FormatVersion")
        if fv is not None and fv not in FORMAT_VERSIONS:
            raise _invalid(f"Invalid FormatVersion {fv!r}: valid values are {', '.join(FORMAT_VERSIONS)}")

    @staticmethod
    def _max_results(p: dict) -> int:
        lo, hi = MAX_RESULTS
        n = p.get("MaxResults", hi)
        if not isinstance(n, int) or isinstance(n, bool) or not lo <= n <= hi:
            raise _invalid(f"MaxResults must be between {lo} and {hi}, got {n!r}")
        return n

    @staticmethod
    def _filters(filters: Any) -> list[dict]:
        if filters is None:
            return []
        if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
            raise _invalid("Filters must be a list of {Type, Field, Value} objects")
        if len(filters) > MAX_FILTERS:
            raise _invalid(f"At most {MAX_FILTERS} filters are allowed, got {len(filters)}")
        for f in filters:
            if f.get("Type") not in FILTER_TYPES:
                raise _invalid(f"Invalid filter Type {f.get('Type')!r}: valid values are "
                               f"{', '.join(FILTER_TYPES)}")
            for k in ("Field", "Value"):
                v = f.get(k)
                if not isinstance(v, str) or not 1 <= len(v) <= MAX_FIELD_LEN:
                    raise _invalid(f"Filter {k} must be a string of 1 to {MAX_FIELD_LEN} characters")
        return [{"Type": f["Type"], "Field": f["Field"], "Value": f["Value"]} for f in filters]

    def _encode_token(self, query: str, offset: int) -> str:
        digest = hashlib.sha256(query.encode()).hexdigest()[:16]
        raw = json.dumps({"q": digest, "g": self.generation, "o": offset}).encode()
        return base64.urlsafe_b64encode(raw).decode()

    def _decode_token(self, query: str, token: Any) -> int:
        if token is None:
            return 0
        try:
            doc = json.loads(base64.urlsafe_b64decode(token.encode()))
            offset, generation, digest = doc["o"], doc["g"], doc["q"]
        except (AttributeError, ValueError, KeyError, TypeError, binascii.Error):
            raise PricingError("InvalidNextTokenException",
                               "The pagination token is invalid. Try again without a pagination token.") from None
        if digest != hashlib.sha256(query.encode()).hexdigest()[:16] or not isinstance(offset, int):
            # A token of another query is not a token of this one.
            raise PricingError("InvalidNextTokenException",
                               "The pagination token is invalid. Try again without a pagination token.")
        if generation != self.generation:
            raise PricingError("ExpiredNextTokenException",
                               "The pagination token expired. Try again without a pagination token.")
        return offset


def _field_value(doc: dict, field: str) -> str | None:
    """The value a filter Field names: "ServiceCode", the product's
    "productFamily" or "sku", or a product attribute; names are matched
    case-insensitively."""
    name = field.lower()
    product = doc.get("product", {})
    if name == "servicecode":
        return doc.get("serviceCode")
    if name == "productfamily":
        return product.get("productFamily")
    if name == "sku":
        return product.get("sku")
    for k, v in product.get("attributes", {}).items():
        if k.lower() == name:
            return v
    return None


def _matches(doc: dict, f: dict) -> bool:
    value = _field_value(doc, f["Field"])
    kind, wanted = f["Type"], f["Value"]
    if kind in ("ANY_OF", "NONE_OF"):
        # Value is a comma-separated list of values.
        values = {v.strip() for v in wanted.split(",")}
        if kind == "NONE_OF":
            return value not in values  # a product without the field has none of them
        return value in values
    if value is None:
        return False
    if kind == "CONTAINS":
        return wanted in value
    return value == wanted  # TERM_MATCH, EQUALS: exact match
