import threading

import pytest

from localcloud.patches import base


@pytest.fixture
def cloud_free():
    """Asserts no LocalCloud is running (the patches are not installed)."""
    assert base.engine is None
    yield
    assert threading.active_count() >= 1
