import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


def _fixture_key() -> str:
    import aws_cdk

    digest = hashlib.sha256(aws_cdk.__version__.encode() if hasattr(aws_cdk, "__version__") else b"cdk")
    for root in ("fixture_app.py", "fixture_lambdas", "fixture_statemachines"):
        path = HERE / root
        files = (
            [path]
            if path.is_file()
            else sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        )
        for f in files:
            digest.update(str(f.relative_to(HERE)).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def fixture_out() -> Path:
    """The fixture app synthesized once (cached by the hash of its sources, so reruns skip the 7 s synth)."""
    cache = Path(tempfile.gettempdir()) / f"localcloud-fixture-{_fixture_key()}"
    if not (cache / "manifest.json").exists():
        from tests.localcloud.fixture_app import synth

        staging = Path(tempfile.mkdtemp(prefix="localcloud-fixture-"))
        synth(str(staging))
        try:
            os.replace(staging, cache)
        except OSError:  # another worker won the race
            shutil.rmtree(staging, ignore_errors=True)
    return cache


@pytest.fixture
def cloud(fixture_out):
    from localcloud import LocalCloud

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    with LocalCloud.start(fixture_out) as c:
        yield c


@pytest.fixture
def manual_cloud(fixture_out):
    from localcloud import LocalCloud, ManualClock

    logging.getLogger("localcloud").setLevel(logging.ERROR)
    with LocalCloud.start(fixture_out, clock=ManualClock()) as c:
        yield c
