"""Suite-wide isolation: no test touches the demo state under var/ or the user's PII key."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_state(tmp_path_factory):
    home = tmp_path_factory.mktemp("xinfang-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("XINFANG_HOME", str(home))
    mp.setenv("XINFANG_REPORTS", str(home / "reports"))
    mp.setenv("XINFANG_PII_KEY", "test-only-pseudonymisation-key")
    for name in ("XINFANG_INBOX", "XINFANG_WAREHOUSE", "XINFANG_ARCHIVE"):
        mp.delenv(name, raising=False)
    yield home
    mp.undo()
