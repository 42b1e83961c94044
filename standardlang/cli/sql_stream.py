"""``check --engine duckdb --format jsonl|csv|parquet``: the verdicts streamed out of DuckDB.

Takes the parsed ``check`` arguments, the loaded specs and their rule selections; gives the
exit code, having written the Python path's streamed report (:mod:`standardlang.cli.stream`,
the same lines and rows, made by the same functions of :mod:`standardlang.reports.stream`)
from the verdict query with its explanation columns (:mod:`standardlang.backends.sql.explain`:
the missing fields of unknown verdicts and of indicator values), read a batch of
:data:`BATCH` rows at a time as Arrow record batches.  No record and no verdict of the whole
input is held in Python: a batch's rows become stand-ins of the verdicts (status, missing
fields, error) that the line writers read, and are dropped once written; only the indicator
values of the levels above the lowest (a city's districts) are kept until the end, where
the Python path writes them.

:func:`summary_text` is the text report of an input too large to be held
(``check --engine duckdb --format text`` over more than ``MAX_DOCUMENT_RECORDS``
records): its counts (records, verdicts by strength and status, rule by rule, indicator
values by status) come from one aggregate query per level, never from Python objects.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import Any, Iterator

from standardlang.cli.sql_engine import _problem

BATCH = 2000
#: data formats whose lowest level the Python path streams (its records' lines carry their own indicators)
STREAMED = (".jsonl", ".ndjson", ".csv", ".tsv", ".parquet")


def _statuses() -> dict:
    from standardlang.status import Status

    return {s.value: s for s in Status}


_STATUS = _statuses()


class SQLVerdict:
    """A verdict as the streamed reports read it: rule, status, missing fields, error."""

    __slots__ = ("rule", "status", "missing", "error")

    def __init__(self, rule: Any, status: Any, missing: tuple, error: str | None):
        self.rule, self.status, self.missing, self.error = rule, status, missing, error

    def explanation(self, lang: str = "en") -> Any:
        from standardlang.engine.verdict import Explanation, Status

        if self.status is not Status.ERROR:  # pragma: no cover - refused before (explain_refused)
            raise RuntimeError("explanations are built by the Python engine")
        r = self.rule
        return Explanation(r.id, r.title, self.status, r.strength, r.cites, r.readings, error=self.error,
                           goal=r.goal_id, lang=lang)


class SQLResult:
    """One record's verdicts, as :class:`~standardlang.engine.program.RecordResult` gives them to the writers."""

    __slots__ = ("entity", "record_id", "verdicts", "problems", "rules", "statuses")

    record = None  # never read: the missing fields come with the row

    def __init__(self, entity: str, record_id: str, verdicts: Any, problems: list, statuses: tuple):
        self.entity, self.record_id, self.verdicts, self.problems = entity, record_id, verdicts, problems
        self.rules, self.statuses = verdicts.rules, statuses


def explain_refused(args: Any) -> None:
    from standardlang.data.readers import user_error

    if (args.explain or "none") != "none":
        raise user_error("U011", f"--explain {args.explain} with --engine {args.engine} --format {args.format}: "
                                 "the explanations' sentences are built by the Python engine",
                         "the stream carries statuses and missing fields; for explanations use --engine python, "
                         "or spec.evaluate_table(..., explain=True) for the values compared")


def streamed_level(run: Any, spec: Any) -> str | None:
    """The level whose records' lines carry their own indicators (the Python path streams it): the
    lowest level (no level below it), read from a JSON Lines, CSV or Parquet file."""
    from standardlang.cli.stream import leaf_entities

    for ent in run.entities():
        origin = run.origins.get(ent)
        if ent in leaf_entities(spec) and origin is not None and os.path.splitext(origin[0])[1].lower() in STREAMED:
            return ent
    return None


def batches(run: Any, entity: str, rules: list, explain: bool = True) -> Iterator[list[dict]]:
    """The verdict rows of ``entity``, a list of :data:`BATCH` dicts at a time (Arrow record batches)."""
    from standardlang.backends.sql.duckdb_engine import _q, _run

    rel = _run(run.con, run.query(entity, rules, True, explain))
    # what the lines need: the values compared stay in DuckDB (never computed: the projection prunes them)
    rel = rel.project(", ".join(_q(c) for c in rel.columns if not c.endswith(".compared")))
    # DuckDB 2 names it to_arrow_reader (fetch_record_batch is deprecated); 1.x has only the old name
    reader = rel.to_arrow_reader(BATCH) if hasattr(rel, "to_arrow_reader") else rel.fetch_record_batch(BATCH)
    for batch in reader:
        yield rows_of(batch)


def rows_of(batch: Any) -> list[dict]:
    """A record batch as row dicts; a ``.missing`` list is converted only where it is not empty
    (most verdicts are not unknown: converting 73 empty lists a row was most of the time)."""
    import pyarrow.compute as pc

    names, n = batch.schema.names, batch.num_rows
    cols = []
    for i, name in enumerate(names):
        col = batch.column(i)
        if name.endswith(".missing"):
            values: list = [None] * n
            for j, k in enumerate(pc.list_value_length(col).to_pylist()):
                if k:
                    values[j] = col[j].as_py()
            cols.append(values)
        else:
            cols.append(col.to_pylist())
    return [dict(zip(names, values)) for values in zip(*cols)]


def result_of(spec: Any, entity: str, rules: list, row: dict, problems: list) -> SQLResult:
    statuses = tuple(_STATUS[row[r.id]] for r in rules)
    return SQLResult(entity, row["record"], _Verdicts(rules, statuses, row, problems), problems, statuses)


class _Verdicts:
    """A record's verdicts, each made when a writer asks for it (the JSON Lines writer asks only
    for unknown and error ones: the others are written from their status)."""

    __slots__ = ("rules", "statuses", "row", "problems")

    def __init__(self, rules: list, statuses: tuple, row: dict, problems: list):
        self.rules, self.statuses, self.row, self.problems = rules, statuses, row, problems

    def __len__(self) -> int:
        return len(self.rules)

    def __getitem__(self, i: int) -> SQLVerdict:
        from standardlang.engine.verdict import Status

        r, status = self.rules[i], self.statuses[i]
        error = None
        if status is Status.ERROR:
            error = "; ".join(str(p) for p in self.problems) or "the record could not be evaluated"
        return SQLVerdict(r, status, tuple(self.row.get(f"{r.id}.missing") or ()), error)

    def __iter__(self) -> Iterator[SQLVerdict]:
        return (self[i] for i in range(len(self.rules)))


def indicator_result(spec: Any, ind: Any, entity: str, row: dict, problems: list) -> Any:
    """An indicator's value in a verdict row; an error names the bad values it reads (``Spec._indicator``)."""
    from standardlang.cli.sql_engine import indicator_value
    from standardlang.engine.evaluate import IndicatorResult
    from standardlang.engine.reads import path_of, read_paths, reads_bad
    from standardlang.engine.verdict import Status

    status = Status(row[ind.id])
    error = None
    if status is Status.ERROR:
        paths = read_paths([ind.value_for(entity)], spec.checked.lets)
        bad = [p for p in problems if reads_bad(paths, path_of(p.path))] or problems
        error = "bad data: " + ("; ".join(str(p) for p in bad[:5]) or "a field this value reads has a bad value")
    return IndicatorResult(ind, entity, row["record"], indicator_value(row, ind.id), status, error,
                           tuple(row.get(f"{ind.id}.missing") or ()))


class Tally:
    """What the summary line counts, as the rows go by (the Python path's ``Totals``)."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.indicators: Counter = Counter()
        self.records_in = self.in_error = self.failures = 0


def write_spec(run: Any, spec: Any, rule_ids: list | None, indicator_ids: list | None, writer: Any, args: Any,
               tally: Tally) -> None:
    """Every record line of ``spec`` (in its levels' order), then the indicator values of the other levels."""
    from standardlang.reports import failing_strengths, is_indicator_failure
    from standardlang.reports import stream as out
    from standardlang.status import Status

    failing, strengths = (Status.FAIL, Status.ERROR), failing_strengths(args.fail_on)
    leaf = streamed_level(run, spec)
    later: dict[tuple[str, str], list] = {}
    lines = out.LineWriter(spec.name, None) if writer.fmt == "jsonl" else None
    for ent in run.entities():
        rules = [r for r in spec.checked.rules if r.entity == ent and (rule_ids is None or r.id in rule_ids)]
        inds = [i for i in spec.checked.indicators if i.value_for(ent) is not None
                and (indicator_ids is None or i.id in indicator_ids)]
        if not rules and not inds:
            continue
        index = 0
        for rows in batches(run, ent, rules):
            for row in rows:
                problems = [_problem(p) for p in row["problems"] or []]
                own = [indicator_result(spec, i, ent, row, problems) for i in inds]
                for x in own:
                    tally.indicators[x.status.value] += 1
                    tally.failures += is_indicator_failure(x, args.fail_on)
                if ent != leaf:
                    for x in own:
                        later.setdefault((x.indicator.id, ent), []).append(x)
                    own = []
                if rules or ent == leaf:  # the streamed level's records have lines, rules or not
                    res = result_of(spec, ent, rules, row, problems)
                    tally.records_in += 1
                    tally.in_error += bool(res.problems)
                    for r, status in zip(res.rules, res.statuses):
                        tally.counts[(r.strength, status.value)] += 1
                        tally.failures += status in failing and r.strength in strengths
                    _write_record(writer, lines, spec, res, run.provenance(ent, index), args.lang, own)
                index += 1
    for ind in spec.checked.indicators:  # the Python path's order: indicator, then level
        for ent, _ in ind.values:
            for x in later.get((ind.id, ent), []):
                _write_indicator(writer, spec, x)


def _write_record(writer: Any, lines: Any, spec: Any, res: Any, src: Any, lang: str, inds: list) -> None:
    from standardlang.reports import stream as out

    if lines is not None:
        writer.write_text(lines.line(res, src, "none", lang, inds))
    elif writer.fmt == "csv":
        writer.write_csv(out.csv_rows(spec.name, res, src, "none", lang)
                         + [out.indicator_csv_row(spec.name, x) for x in inds])
    else:
        writer.write_rows(out.parquet_rows(spec.name, res, src, "none", lang, inds))


def _write_indicator(writer: Any, spec: Any, x: Any) -> None:
    from standardlang.cli.stream import _write_indicator as write

    write(writer, spec, x)


def run_stream(args: Any, specs: list, selections: list, sources_of: Any, connection: Any = None) -> int:
    """The streamed ``check`` on DuckDB; ``sources_of(spec)`` gives its (source, entity) pairs and warnings."""
    from standardlang.backends.sql.api import _engine_run, add_sources
    from standardlang.reports.stream import Writer

    explain_refused(args)
    args.lang = args.lang or "en"
    warnings: list[str] = []
    failures = 0
    with Writer(args.format, args.output) as writer:
        for spec, (rule_ids, indicator_ids) in zip(specs, selections):
            run = _engine_run(spec, args.engine, connection, threads=args.threads)
            tally = Tally()
            try:
                sources, found = sources_of(spec)
                warnings.extend(w for w in found if w not in warnings)
                for source, entity in sources:
                    add_sources(run, source, entity)
                write_spec(run, spec, rule_ids, indicator_ids, writer, args, tally)
                warnings.extend(w for w in run.warnings if w not in warnings)
            finally:
                run.close()
            failures += tally.failures
            _summary(writer, spec, tally)
        if warnings and writer.fmt == "jsonl":
            writer.write_line({"kind": "warnings", "warnings": warnings})
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    where = "" if args.output in (None, "-") else f"wrote {args.output}: "
    print(f"{where}{failures} failures under --fail-on {args.fail_on}", file=sys.stderr)
    return 1 if failures else 0


def _summary(writer: Any, spec: Any, tally: Tally) -> None:
    summary: dict[str, dict[str, int]] = {}
    for (strength, status), n in sorted(tally.counts.items()):
        summary.setdefault(strength, {})[status] = n
    judged = tally.records_in - tally.in_error
    if writer.fmt == "jsonl":
        writer.write_line({"kind": "summary", "spec": spec.name, "records_in": tally.records_in, "judged": judged,
                           "in_error": tally.in_error, "verdicts": summary,
                           "indicators": dict(sorted(tally.indicators.items()))})
    print(f"{spec.name}: {tally.records_in} records in, {judged} judged, {tally.in_error} in error "
          f"(bad data: error verdicts for the rules reading it)", file=sys.stderr)


# ------------------------------------------------------------------ the text summary of a large input
def counts_query(run: Any, entity: str, rules: list, inds: list) -> str:
    """One aggregate over the verdict query of ``entity``: records, records in error, and per rule
    and indicator how many of each status (``count(*) FILTER (WHERE ...)``, built as sqlglot trees)."""
    from sqlglot import exp

    from standardlang.status import Status

    def count(cond: exp.Expression | None, name: str) -> exp.Expression:
        e = exp.Count(this=exp.Star())
        if cond is not None:
            e = exp.Filter(this=e, expression=exp.Where(this=cond))
        return exp.alias_(e, name, quoted=True)

    def col(name: str) -> exp.Expression:
        return exp.column(exp.to_identifier(name, quoted=True))

    cols = [count(None, "records"),
            count(exp.GT(this=exp.func("len", col("problems")), expression=exp.Literal.number(0)), "in_error")]
    for item in [r.id for r in rules] + [i.id for i in inds]:
        for s in Status:
            cols.append(count(exp.EQ(this=col(item), expression=exp.Literal.string(s.value)), f"{item}|{s.value}"))
    inner = exp.Subquery(this=exp.maybe_parse(run.query(entity, rules, bool(inds)), dialect="duckdb"))
    return exp.select(*cols).from_(exp.alias_(inner, "_v", table=True)).sql("duckdb")


def summary_counts(run: Any, spec: Any, rule_ids: list | None, indicator_ids: list | None) -> dict:
    """{"records": {entity: n}, "in_error": n, "rules": {rule: {status: n}}, "indicators": {id: {status: n}}}."""
    from standardlang.backends.sql.duckdb_engine import _run

    out: dict = {"records": {}, "in_error": 0, "rules": {}, "indicators": {}}
    for ent in run.entities():
        rules = [r for r in spec.checked.rules if r.entity == ent and (rule_ids is None or r.id in rule_ids)]
        inds = [i for i in spec.checked.indicators if i.value_for(ent) is not None
                and (indicator_ids is None or i.id in indicator_ids)]
        rel = _run(run.con, counts_query(run, ent, rules, inds))
        row = dict(zip(rel.columns, rel.fetchall()[0]))
        out["records"][ent] = row["records"]
        if rules:
            out["in_error"] += row["in_error"]
        for key, n in row.items():
            item, sep, status = key.partition("|")
            if sep:
                group = "rules" if any(r.id == item for r in rules) else "indicators"
                counts = out[group].setdefault(item, Counter())
                counts[status] += n
    return out


def summary_text(run: Any, spec: Any, rule_ids: list | None, indicator_ids: list | None, fail_on: str,
                 lang: str = "en") -> tuple[list[str], int]:
    """(lines, failures): the text report of a large input, from :func:`summary_counts`."""
    from standardlang.lang.vocabulary import counted
    from standardlang.reports import (STATUSES, STRENGTHS, failing_attributes, failing_strengths, status_word,
                                      strength_word, table, word)

    c = summary_counts(run, spec, rule_ids, indicator_ids)
    by_id = {r.id: r for r in spec.checked.rules}
    out = [f"{spec.name}  {spec.title}" + (f"  [{spec.path}]" if spec.path else "")]
    parts = ", ".join(f"{e} {n}" for e, n in c["records"].items())
    out.append(f"{counted(sum(c['records'].values()), 'record', lang)} ({parts}), {c['in_error']} with bad data; "
               f"counted in DuckDB (too many records to list: --format jsonl -o FILE lists them)")
    strengths: dict[str, Counter] = {}
    for rid, counts in c["rules"].items():
        strengths.setdefault(by_id[rid].strength, Counter()).update(counts)
    header = [word("summary", lang)] + [status_word(s, lang) for s in STATUSES] + [word("total", lang)]
    if strengths:
        rows = [header]
        for strength in STRENGTHS:
            if strength in strengths:
                counts = strengths[strength]
                label = word("both_names", lang).format(en=strength, zh=strength_word(strength, "zh"))
                rows.append([label] + [str(counts[s.value]) for s in STATUSES] + [str(sum(counts.values()))])
        out += [""] + table(rows, right=set(range(1, len(header))))
        rows = [[word("rule", lang), word("strength", lang)] + header[1:]]
        for rid, counts in c["rules"].items():
            rows.append([rid, by_id[rid].strength] + [str(counts[s.value]) for s in STATUSES]
                        + [str(sum(counts.values()))])
        out += [""] + table(rows, right=set(range(2, len(header) + 1)))
    failures = sum(n for rid, counts in c["rules"].items() for s, n in counts.items()
                   if s in ("fail", "error") and by_id[rid].strength in failing_strengths(fail_on))
    if c["indicators"]:
        by_ind = {i.id: i for i in spec.checked.indicators}
        rows = [[word("indicators", lang)] + header[1:]]
        for iid in [i.id for i in spec.checked.indicators if i.id in c["indicators"]]:
            counts = c["indicators"][iid]
            rows.append([iid] + [str(counts[s.value]) for s in STATUSES] + [str(sum(counts.values()))])
            if by_ind[iid].attribute in failing_attributes(fail_on):
                failures += counts["fail"] + counts["error"]
        out += [""] + table(rows, right=set(range(1, len(header))))
    return out, failures


def large(run: Any, limit: int) -> bool:
    """Whether the records registered in ``run`` are more than ``limit`` (one count per level)."""
    from standardlang.backends.sql.duckdb_engine import _q

    n = 0
    for ent in run.entities():
        n += run.con.sql(f"SELECT count(*) FROM {_q(run.sources[ent])}").fetchall()[0][0]
    return n > limit


def run_summary(args: Any, specs: list, selections: list, sources_of: Any, limit: int) -> int | None:
    """``check --engine duckdb --format text`` over more than ``limit`` records: the counts of
    :func:`summary_text` on stdout (or ``-o``), the exit code; None when the input is small enough
    for the full text report."""
    from standardlang.backends.sql.api import _engine_run, add_sources
    from standardlang.reports import write_output

    out: list[str] = []
    failures = 0
    for k, (spec, (rule_ids, indicator_ids)) in enumerate(zip(specs, selections)):
        run = _engine_run(spec, args.engine, None, threads=args.threads)
        try:
            sources, warnings = sources_of(spec)
            for source, entity in sources:
                add_sources(run, source, entity)
            if k == 0 and not large(run, limit):
                return None
            lines, n = summary_text(run, spec, rule_ids, indicator_ids, args.fail_on, args.lang or "en")
        finally:
            run.close()
        failures += n
        out += lines + [f"  warning: {w}" for w in warnings + run.warnings] + [""]
    out.append(f"{failures} failures under --fail-on {args.fail_on}")
    write_output("\n".join(out) + "\n", args.output)
    return 1 if failures else 0
