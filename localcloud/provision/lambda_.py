"""Lambda functions (the runtime's FunctionSpec; moto holds a stub) and their SQS event source mappings."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

from ..assembly import Resource, Stack
from .host import ProvisionerHost
from .registry import NotRun, Provisioned
from .values import env_text


def _dummy_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


DUMMY_ZIP = _dummy_zip()  # moto wants a package; the runtime runs the asset directory


class LambdaResources(ProvisionerHost):
    """Provisioner handlers (a mixin of Provisioner: see host.py for what it uses)."""

    def _function(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        from ..lambda_.runtime import FunctionSpec

        name = p.get("FunctionName") or self._name(stack, r, 64)
        runtime = p.get("Runtime", "")
        env = {k: env_text(v) for k, v in (p.get("Environment") or {}).get("Variables", {}).items()}
        role = p.get("Role") or self._arn("iam", "role/localcloud")
        fn = self.client("lambda").create_function(
            FunctionName=name,
            Runtime=runtime or "python3.13",
            Role=role,
            Handler=p.get("Handler", "index.handler"),
            Code={"ZipFile": DUMMY_ZIP},
            Timeout=int(p.get("Timeout", 3)),
            MemorySize=int(p.get("MemorySize", 128)),
            Environment={"Variables": env},
        )
        arn = fn["FunctionArn"]
        code = p.get("Code", {})
        asset_dir: Path | None = None
        runnable, reason = True, ""
        if not runtime.startswith("python"):
            runnable, reason = False, f"runtime {runtime or '(container image)'} is not run locally (Python only)"
        elif "S3Key" in code:
            try:
                asset_dir = stack.asset(code["S3Key"])
            except KeyError as exc:
                runnable, reason = False, str(exc)
            else:
                if not asset_dir.is_dir():
                    runnable, reason = False, f"asset {asset_dir} is not a directory"
        elif "ZipFile" in code:
            runnable, reason = False, "inline code (Code.ZipFile) is not run locally"
        else:
            runnable, reason = False, "code is neither an asset nor inline"
        if not runnable:
            self.not_run.append(NotRun(stack.name, r.logical_id, f"{r.type} ({runtime or 'image'})", r.path, reason))
        log_group = (p.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{name}"
        spec = FunctionSpec(
            name=name,
            arn=arn,
            handler=p.get("Handler", ""),
            runtime=runtime,
            timeout=int(p.get("Timeout", 3)),
            memory=int(p.get("MemorySize", 128)),
            environment=env,
            asset_dir=asset_dir,
            logical_id=r.logical_id,
            path=r.path,
            log_group=log_group,
            runnable=runnable,
            reason=reason,
        )
        item = self._item(stack, r, name, {"Arn": arn}, name=name, spec=spec)
        self.on_function(item, spec)
        return item

    def _esm(self, stack: Stack, r: Resource, p: dict[str, Any]) -> Provisioned:
        # Not created in moto: moto's own SQS->Lambda mapping has the wrong semantics; the pollers do it.
        mapping_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{stack.name}/{r.logical_id}"))
        source = p.get("EventSourceArn", "")
        if ":sqs:" not in source:
            self.not_run.append(
                NotRun(
                    stack.name,
                    r.logical_id,
                    r.type,
                    r.path,
                    f"event source {source.split(':')[2] if ':' in source else source} is not polled locally",
                )
            )
            return self._item(stack, r, mapping_id, {"Id": mapping_id})
        item = self._item(stack, r, mapping_id, {"Id": mapping_id}, mapping=p)
        self.on_esm(item, p)
        return item
