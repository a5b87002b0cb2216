"""Backtest moments and the as-of SQL of the alert models.

A backtest evaluates the alerts as of past moments: `backtest_moments` turns --as-of / --from /
--to / --step into the moments (at most MAX_MOMENTS). `AsOfCompiler` compiles the alert models
with var `alerts_as_of` set, through dbt's own dbtRunner in process, with the --vars of the last
`dbt build` (`build_vars`) so that only alerts_as_of differs from what was built.
`MomentSql` gives each model's SQL as of each moment: compiled once with a sentinel moment and the
moment substituted for it, for every model where that substitution is proven to reproduce dbt's
own compile; the others are recompiled by dbt per moment.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import ConfigError, dbt_message

AS_OF_VAR = "alerts_as_of"
MAX_MOMENTS = 1000  # a backtest range longer than this is almost certainly a typo in --step

_MOMENT_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


def parse_moment(text: str, option: str) -> datetime:
    for fmt in _MOMENT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ConfigError(f"{option} '{text}' is not a date or timestamp: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM[:SS]'")


def parse_step(text: str) -> timedelta:
    m = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text or "")
    if not m or int(m.group(1)) == 0:
        raise ConfigError(f"--step '{text}' is not valid: use a positive number of minutes, hours, days or weeks, "
                          f"e.g. 1d, 6h, 30m, 1w")
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[m.group(2)]
    return timedelta(**{unit: int(m.group(1))})


def format_moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def backtest_moments(as_of: str | None, start: str | None, end: str | None, step: str) -> list[str] | None:
    """The as-of moments to evaluate (None: evaluate as built, "now")."""
    if as_of and (start or end):
        raise ConfigError("--as-of evaluates one moment; --from/--to a range: use one or the other")
    if as_of:
        return [format_moment(parse_moment(as_of, "--as-of"))]
    if not start and not end:
        return None
    if not (start and end):
        raise ConfigError("a backtest range needs both --from and --to")
    first, last, delta = parse_moment(start, "--from"), parse_moment(end, "--to"), parse_step(step)
    if last < first:
        raise ConfigError(f"--to {end} is before --from {start}")
    count = int((last - first) / delta) + 1
    if count > MAX_MOMENTS:
        raise ConfigError(f"--from {start} --to {end} --step {step} is {count} evaluations of every alert "
                          f"(limit {MAX_MOMENTS}): use a larger --step or a shorter range")
    return [format_moment(first + i * delta) for i in range(count)]


def build_args(project_dir: Path, target_path: str) -> dict[str, Any]:
    """The arguments of the last `dbt build` (run_results.json "args")."""
    try:
        args = json.loads((project_dir / target_path / "run_results.json").read_text()).get("args") or {}
    except (OSError, json.JSONDecodeError):
        return {}
    return args if isinstance(args, dict) else {}


def build_vars(project_dir: Path, target_path: str) -> dict[str, Any]:
    """The --vars of the last `dbt build` (run_results.json), so a recompile differs only in alerts_as_of."""
    value = build_args(project_dir, target_path).get("vars") or {}
    if isinstance(value, str):
        import yaml

        value = yaml.safe_load(value) or {}
    return dict(value) if isinstance(value, dict) else {}


class AsOfCompiler:
    """Recompiles alert models with var `alerts_as_of` set: dbt's own dbtRunner, in process, one
    `dbt parse` and then one `dbt compile --select <alert models>` per moment against the parsed
    manifest (so the per-moment cost is the compile only). Everything goes to a private temporary
    target path; the project's target/ artifacts are never touched. The parse starts from a copy
    of target/partial_parse.msgpack when there is one (dbt falls back to a full parse if stale)."""

    def __init__(self, project_dir: Path, profiles_dir: Path, target_path: str, variables: dict[str, Any],
                 models: list[str], workdir: Path, target: str | None = None):
        self.project_dir, self.profiles_dir = project_dir, profiles_dir
        # `target` None: the build's target, named exactly as the build named it (or not): dbt reuses
        # partial_parse.msgpack only when --target and --profile are passed as in the build
        # (dbt/parser/manifest.py build_manifest_state_check hashes them as given; a target named
        # here but defaulted in the build costs a full parse, seconds). load_build already refused
        # any other target than the build's.
        built = build_args(project_dir, target_path)
        target = target or built.get("target")
        self.selection = [*(["--target", str(target)] if target else []),
                          *(["--profile", str(built["profile"])] if built.get("profile") else [])]
        self.variables, self.models, self.workdir = variables, sorted(set(models)), workdir
        self.manifest = None
        self.compiles = 0  # dbt compile invocations (the benchmark reports them)
        partial = project_dir / target_path / "partial_parse.msgpack"
        if partial.exists():
            shutil.copy2(partial, workdir / "partial_parse.msgpack")

    def _invoke(self, args: list[str]):
        from dbt.cli.main import dbtRunner

        messages: list[str] = []

        def collect(event) -> None:
            if getattr(event.info, "level", "") == "error" and event.info.msg:
                messages.append(dbt_message(event.info.msg))

        common = ["--project-dir", str(self.project_dir), "--profiles-dir", str(self.profiles_dir),
                  *self.selection, "--target-path", str(self.workdir),
                  "--log-path", str(self.workdir), "--log-level", "none", "--no-use-colors",
                  "--no-send-anonymous-usage-stats"]  # internal compiles: no tracking round trips
        runner = dbtRunner(manifest=self.manifest, callbacks=[collect])
        with contextlib.redirect_stdout(sys.stderr):  # --json owns stdout
            result = runner.invoke([*args, *common])
        return result, messages

    def parse(self) -> None:
        result, messages = self._invoke(["parse", "--vars", json.dumps(self.variables, default=str)])
        if not result.success or result.result is None:
            raise ConfigError("dbt parse failed while preparing the backtest: "
                              + ("; ".join(messages) or dbt_message(result.exception or "unknown error")))
        self.manifest = result.result

    def compile(self, as_of: str, models: list[str] | None = None) -> dict[str, tuple[str | None, str | None]]:
        """model name -> (compiled SQL, None) or (None, why it did not compile); all models, or `models`."""
        if self.manifest is None:
            self.parse()
        models = self.models if models is None else sorted(set(models))
        if not models:
            return {}
        self.compiles += 1
        variables = {**self.variables, AS_OF_VAR: as_of}
        result, messages = self._invoke(["compile", "--vars", json.dumps(variables, default=str),
                                         "--select", " ".join(models), "--no-populate-cache"])
        out: dict[str, tuple[str | None, str | None]] = {}
        for r in getattr(result.result, "results", None) or []:
            node = r.node
            if str(r.status).lower().endswith("success") and getattr(node, "compiled_code", None):
                out[node.name] = (node.compiled_code, None)
            else:
                out[node.name] = (None, f"dbt compile with {AS_OF_VAR}='{as_of}' failed: "
                                        f"{dbt_message(r.message or r.status, node=node.name)}")
        if not out and not result.success:
            raise ConfigError(f"dbt compile with {AS_OF_VAR}='{as_of}' failed: "
                              + ("; ".join(messages) or dbt_message(result.exception or "unknown error")))
        for model in models:
            out.setdefault(model, (None, f"dbt compile with {AS_OF_VAR}='{as_of}' did not compile model '{model}'"))
        return out


# A moment in exactly format_moment's format that no backtest reaches in practice. Were it asked
# for, substituting it for itself changes nothing, so even then the SQL is right.
SENTINEL = format_moment(datetime(2999, 12, 31, 23, 59, 59))
# A second sentinel that differs from the first in every part and on the usual branch points (a
# Monday, the 1st of a month, midnight, against a Tuesday, the 31st, 23:59:59): a model whose Jinja
# branches on the moment's year, month, day, weekday or time compiles differently at the two.
SECOND_SENTINEL = format_moment(datetime(2990, 2, 1, 0, 0, 0))


def substitute(template: str, moment: str, sentinel: str = SENTINEL) -> str:
    """A model's SQL compiled with alerts_as_of = `sentinel`, as of `moment` instead."""
    return template.replace(sentinel, moment)


class MomentSql:
    """Each alert model's SQL as of each backtest moment, with as few dbt compiles as possible.

    With `once` (the default) and more than two moments: four dbt compiles of all models, with
    alerts_as_of = SENTINEL, SECOND_SENTINEL, the first moment and the last. A model whose
    sentinel SQL, with the moment substituted for the sentinel, is exactly dbt's own compile at
    both moments and at the second sentinel is a template: its SQL at any moment is the
    substitution. Any other model (e.g. Jinja arithmetic on the var, or a compile that fails) is
    recompiled by dbt per moment (`per_moment`: model -> why). Jinja that branches on the moment in
    a way those four compiles all agree on (say, only on Wednesdays) is not caught: alert SQL
    should take the moment from dbt_alerts.alerts_now() in SQL (docs/evaluate.md).
    Without `once`, every model is recompiled per moment (the old path, kept for the benchmark)."""

    def __init__(self, compiler: AsOfCompiler, moments: list[str], once: bool = True):
        self.compiler, self.moments = compiler, moments
        self.templates: dict[str, str] = {}
        self.per_moment: dict[str, str] = {}
        self._known: dict[str, dict[str, tuple[str | None, str | None]]] = {}
        if not once or len(moments) <= 2:
            reason = "per-moment compile requested" if not once else "two moments or fewer: nothing to save"
            self.per_moment = {m: reason for m in compiler.models}
            return
        sentinel = compiler.compile(SENTINEL)
        second = compiler.compile(SECOND_SENTINEL)
        ends = [moments[0], moments[-1]]
        for moment in ends:
            self._known[moment] = compiler.compile(moment)
        for model in compiler.models:
            template, problem = sentinel.get(model, (None, "not compiled"))
            if template is None:
                self.per_moment[model] = f"does not compile with {AS_OF_VAR}='{SENTINEL}': {problem}"
                continue
            differs = [m for m in ends if substitute(template, m) != self._known[m].get(model, (None, None))[0]]
            if substitute(template, SECOND_SENTINEL) != second.get(model, (None, None))[0]:
                differs.append(SECOND_SENTINEL)
            if differs:
                self.per_moment[model] = (f"substituting the moment for {AS_OF_VAR} does not reproduce dbt's "
                                          f"compile as of {differs[0]}")
            else:
                self.templates[model] = template

    def compile(self, moment: str) -> dict[str, tuple[str | None, str | None]]:
        """model name -> (SQL as of `moment`, None) or (None, why it did not compile)."""
        out: dict[str, tuple[str | None, str | None]] = {m: (substitute(t, moment), None)
                                                         for m, t in self.templates.items()}
        if self.per_moment:
            known = self._known.get(moment)
            if known is not None:
                out.update({m: known[m] for m in self.per_moment})
            else:
                out.update(self.compiler.compile(moment, list(self.per_moment)))
        return out
