# The xinfang image: Airflow 3 + the project, one image for every Airflow component.
# Built by docker-compose.yml; the Python environment is exactly the committed uv.lock.
FROM python:3.11-slim-bookworm

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/xinfang/.venv

# fonts-noto-cjk: the bulletins' Chinese fonts. libharfbuzz-subset0: without it WeasyPrint
# subsets fonts in Python and a bulletin takes 10x longer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /opt/xinfang

# Dependencies first (cached until the lock changes), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --group deploy --no-install-project
COPY src ./src
COPY dags ./dags
COPY dbt_project ./dbt_project
COPY templates ./templates
COPY expectations ./expectations
RUN uv sync --frozen --no-dev --group deploy \
    && useradd --uid 50000 --gid 0 --no-create-home --home-dir /opt/xinfang airflow \
    && mkdir -p /opt/xinfang/var/airflow \
    && chown -R 50000:0 /opt/xinfang/var /opt/xinfang/dbt_project /opt/xinfang/expectations

ENV PATH=/opt/xinfang/.venv/bin:$PATH \
    AIRFLOW_HOME=/opt/xinfang/var/airflow
USER 50000
CMD ["airflow", "version"]
