"""Airflow tests: a throw-away AIRFLOW_HOME, set before anything imports airflow.

Airflow reads its configuration at first import, so the environment is set at collection time
(this module), never later in a fixture. The user's ~/airflow is never touched.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from demo_run import run_demo, write_sample

from xinfang.airflow_local import DAGS_FOLDER

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="xinfang-airflow-test-"))
atexit.register(shutil.rmtree, AIRFLOW_HOME, ignore_errors=True)
os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_FOLDER)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """The demo prefecture's small sample: (its inbox, its manifest)."""
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def demo(sample, tmp_path_factory):
    """``xinfang run`` over a copy of the sample, once per session (:class:`demo_run.Run`)."""
    return run_demo(sample, tmp_path_factory.mktemp("demo"))
