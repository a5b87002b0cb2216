"""A local Spark SQL engine for the tests that check the package's SQL on Spark / Databricks SQL
(test_databricks_dialect.py, test_spark_sql.py): the Java check, one SparkSession configured like
Databricks SQL (ANSI mode on, session time zone UTC), stopped with its JVM, and a query runner
with the interface of alert-sync's evaluate targets. pyspark comes with `make test` (extra
`dialect`); a module using this skips, saying so, only when there is no Java runtime."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from datetime import timezone
from pathlib import Path
from typing import Iterator
from unittest import mock


def java_runtime() -> str | None:
    """The java pyspark would launch: $JAVA_HOME/bin/java, else java on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(Path(home, "bin", "java"), os.X_OK):
        return str(Path(home, "bin", "java"))
    return shutil.which("java")


def java_major(java: str) -> int | None:
    """17 for `openjdk version "17.0.15"`, 8 for `java version "1.8.0_402"`."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    return int(m.group(2) or 0) if m.group(1) == "1" else int(m.group(1))


def skip_without_java(what: str) -> None:
    """Skip the calling module (at import) when there is no Java runtime."""
    import pytest

    if java_runtime() is None:
        pytest.skip(f"{what} skipped: no Java runtime (no JAVA_HOME, no java on PATH); it runs SQL on a "
                    "local Spark, which needs Java 17+", allow_module_level=True)


@contextlib.contextmanager
def spark_session(tmp: Path, app_name: str) -> Iterator["SparkSession"]:  # noqa: F821
    """One local SparkSession: local[2], ANSI mode on (Databricks SQL's default), session time zone
    UTC, 2 shuffle partitions, no UI, bound to loopback, its warehouse and temp files under `tmp`,
    a JVM tuned for short runs (C1 only, serial GC).
    On exit it is stopped and the JVM pyspark launched is ended."""
    import pytest
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    java = java_runtime()
    major = java_major(java)
    if major is not None and major < 17:
        pytest.fail(f"the Spark checks need Java 17+ for Spark 4; {java} is Java {major}")
    with mock.patch.dict(os.environ, SPARK_LOCAL_IP="127.0.0.1"):  # the JVM binds to loopback only
        session = (SparkSession.builder.master("local[2]").appName(app_name)
                   .config("spark.sql.ansi.enabled", "true")
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.sql.shuffle.partitions", "2")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.sql.warehouse.dir", str(tmp / "warehouse"))
                   # The C1 compiler only and the serial collector: these short, small jobs finish
                   # before C2's optimisations pay back, and the JIT and GC threads otherwise take
                   # the other core from the parallel test worker (test_spark_sql.py alone:
                   # 68 s -> 39 s of CPU, 42 s -> 30 s wall).
                   .config("spark.driver.extraJavaOptions",
                           f"-Djava.io.tmpdir={tmp} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                   .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        # stop() leaves the JVM pyspark launched running until Python exits: end it now, by its
        # handle, so it does not sit through the rest of the suite.
        gateway = SparkContext._gateway
        if gateway is not None:
            gateway.shutdown()
            proc = getattr(gateway, "proc", None)
            if proc is not None:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait(timeout=60)
            SparkContext._gateway = SparkContext._jvm = None


class SparkQueries:
    """What runner.run_alert needs of a target: query(sql) -> (columns, rows)."""

    def __init__(self, spark):
        self.spark = spark

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        from pyspark.sql import types as T

        df = self.spark.sql(sql)
        timestamps = {i for i, f in enumerate(df.schema.fields) if isinstance(f.dataType, T.TimestampType)}
        rows = []
        for row in df.collect():
            # pyspark returns TIMESTAMPs as naive local time: back to naive UTC, as DuckDB returns them.
            rows.append(tuple(v.astimezone(timezone.utc).replace(tzinfo=None) if i in timestamps and v is not None
                              else v for i, v in enumerate(row)))
        return list(df.columns), rows
