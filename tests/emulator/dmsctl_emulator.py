#!/usr/bin/env python3
"""dmsctl's local AWS emulator: moto 5.2.5 server mode + DMS/CE/CloudWatch patches + control API.

    python dmsctl_emulator.py [--host 127.0.0.1] [--port 0]

Binds, then prints exactly one line

    DMSCTL_EMULATOR_LISTENING http://127.0.0.1:<port>

on stdout (flushed) before serving, so callers asking for port 0 learn the
port.  Normally started through ``scripts/emulator``.  See README.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

# Must be set before moto is imported/used: IAM's AWS-managed policies
# (e.g. AmazonDMSVPCManagementRole) are loaded only when this is "true".
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def build_app():
    """moto's own server app (what `moto_server` serves) wrapped in our middleware,
    with the DMS, Cost Explorer and CloudWatch patches applied first."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    import ce_patches
    import cloudwatch_patches
    import dms_patches
    from middleware import EmulatorMiddleware

    dms_patches.apply()
    ce_patches.apply()
    cloudwatch_patches.apply()

    def reset_backends(services: list[str] | None) -> None:
        """Reset moto's state.  services=None: everything (what
        POST /moto-api/reset does; slow, ~1 s, because the IAM backend reloads
        the AWS-managed policies).  Otherwise only the named backends."""
        if services is None:
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()
            return
        import moto.backends

        for service in services:
            # Not BackendDict.reset(): that is a classmethod resetting *every* service.
            for account_backends in moto.backends.get_backend(service).values():
                account_backends.reset()

    return EmulatorMiddleware(
        DomainDispatcherApplication(create_backend_app),
        reset_backends=reset_backends,
        set_table_statistics=dms_patches.set_table_statistics,
        cost_allocation_tags=(ce_patches.set_cost_allocation_tags, ce_patches.get_cost_allocation_tags),
        provisioned_capacity=(dms_patches.set_provisioned_capacity, dms_patches.get_provisioned_capacity),
        extra_stores=dms_patches.CONTROL_STORES,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    app = build_app()
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    port = server.server_port
    os.environ["MOTO_PORT"] = str(port)  # what moto's own server sets, for self-references

    def stop(signum, frame):  # noqa: ARG001
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"DMSCTL_EMULATOR_LISTENING http://{args.host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
