"""The state of a REPL session and what each input does, without a terminal.

Takes spec paths, a data file and an entity; gives a :class:`Session` whose
:meth:`~Session.handle` turns one input — an expression or a ``:command`` — into
the text to print (an error raises :class:`InputError` holding its rendered
message), and :func:`completions` for the text before a cursor.  Data files are
read with :mod:`standardlang.data.readers` (JSON, JSON Lines, YAML, CSV, XLSX), or as
plain JSON when that module is missing.  Nothing here imports prompt_toolkit:
:mod:`standardlang.tools.repl` is the front end.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

from standardlang.errors import Source, StandardLangError

COMMANDS = {
    ":help": "this help",
    ":load": ":load SPEC — load a spec file (it becomes the current one)",
    ":data": ":data FILE — read records (JSON, JSON Lines, YAML, CSV, XLSX)",
    ":use": ":use RECORD — make a record current, by its id or 1-based number",
    ":records": "list the records, the current one marked",
    ":record": "show the current record",
    ":rules": "list the rules of the loaded specs with their verdict for the current record",
    ":explain": ":explain RULE — the verdict of a rule (or an indicator's value) for the current record, "
                "explained, with its clause",
    ":schema": "the fields of the current entity, with types and labels",
    ":entity": ":entity NAME — judge records of another entity (city, district...)",
    ":let": ":let NAME = EXPR — a scratch definition usable in later expressions; `:let` lists them",
    ":quit": "leave the session (also Ctrl-D)",
}
_ALIASES = {":q": ":quit", ":exit": ":quit", ":h": ":help", ":?": ":help"}


# ====================================================================== data


def read_data(path: str, spec: Any, entity: str | None) -> tuple[Any, list[Any], list[str]]:
    """Read a data file: (raw tables or document, records of ``entity``, warnings)."""
    raw = _read_raw(path)
    records, warnings = bind_records(raw, spec, entity)
    return raw, records, warnings


def _read_raw(path: str) -> Any:
    from standardlang.data.readers import read_file

    return ("tables", read_file(path))


def bind_records(raw: Any, spec: Any, entity: str | None) -> tuple[list[Any], list[str]]:
    """The records of ``entity`` in data read by :func:`_read_raw` (schema-less without a spec)."""
    kind, data = raw
    if kind == "tables":
        if spec is None:
            return [rec for table in data for rec in _plain_rows(table)], []
        from standardlang.data.readers import bind

        ds = bind(data, spec, entity)
        return list(ds.inventory.records.get(entity or spec.default_entity, [])), list(ds.warnings)
    if spec is None:
        return (list(data) if isinstance(data, list) else [data]), []
    inv = spec.inventory(data, entity)
    return list(inv.records.get(entity or spec.default_entity, [])), []


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _plain_rows(table: Any) -> list[Any]:
    """Rows without a schema: text cells that look like numbers or truth values become them."""
    out = []
    for row in table.rows:
        if not (getattr(table, "flat", False) and isinstance(row, dict)):
            out.extend(row if isinstance(row, list) else [row])
            continue
        rec: dict = {}
        for key, cell in row.items():
            if isinstance(cell, str):
                cell = cell.strip()
                if cell == "":
                    continue
                if _NUMBER.fullmatch(cell):
                    cell = int(cell) if "." not in cell else float(cell)
                elif cell.lower() in ("true", "false"):
                    cell = cell.lower() == "true"
            target = rec
            parts = str(key).split(".")
            for p in parts[:-1]:
                nxt = target.setdefault(p, {})
                target = nxt if isinstance(nxt, dict) else {}
            target[parts[-1]] = cell
        out.append(rec)
    return out


# ====================================================================== the session


class Quit(Exception):
    """Raised by ``:quit``."""


class Session:
    """The state of one REPL session; :meth:`handle` turns one input into output text."""

    def __init__(self, specs: Iterable[str] = (), data: str | None = None, entity: str | None = None):
        self.specs: list[Any] = []  # loaded Spec objects, the last one current
        self.entity: str | None = entity
        self.raw: Any = None
        self.data_path: str | None = None
        self.records: list[Any] = []
        self.index: int | None = None
        self.lets: dict[str, Any] = {}  # name -> LetInfo (checked)
        self.let_texts: dict[str, str] = {}
        self.startup: list[str] = []
        for path in specs:
            self.startup.append(self.cmd_load(path))
        if data:
            self.startup.append(self.cmd_data(data))

    # ------------------------------------------------------------ state
    @property
    def spec(self) -> Any:
        return self.specs[-1] if self.specs else None

    @property
    def record(self) -> Any:
        if self.index is None or not self.records:
            return {}
        return self.records[self.index]

    def record_type(self) -> Any:
        return self.spec.record_type(self.entity) if self.spec is not None and self.entity else None

    def record_id(self, i: int) -> str:
        if self.spec is not None and self.entity:
            return self.spec.record_id(self.entity, self.records[i], i)
        rec = self.records[i]
        if isinstance(rec, dict) and rec.get("id") is not None:
            return str(rec["id"])
        return f"#{i + 1}"

    def rules(self) -> list[tuple[Any, Any]]:
        return [(s, r) for s in self.specs for r in s.rules]

    # ------------------------------------------------------------ input
    def handle(self, text: str) -> str:
        """Evaluate one input (an expression or a command); errors become their rendered text."""
        text = text.strip()
        if not text or text.startswith("#"):
            return ""
        try:
            if text.startswith(":"):
                return self.command(text)
            return self.evaluate(text)
        except (Quit, InputError):
            raise
        except StandardLangError as exc:
            raise InputError(exc.render()) from None
        except RecursionError:
            raise InputError("error: the input is nested too deeply") from None
        except Exception as exc:  # no raw traceback reaches the user
            raise InputError(f"internal error: {type(exc).__name__}: {exc}") from None

    def command(self, text: str) -> str:
        name, _, arg = text.partition(" ")
        name = _ALIASES.get(name, name)
        arg = arg.strip()
        if name == ":let":
            return self.cmd_let(text[4:].strip())
        method: Callable[..., str] | None = getattr(self, "cmd_" + name[1:], None) if name in COMMANDS else None
        if method is None:
            from standardlang.errors import did_you_mean

            hint = did_you_mean(name, list(COMMANDS))
            raise InputError(f"error: unknown command `{name}`" + (f"; {hint}" if hint else "; :help lists the commands"))
        if name in (":load", ":data", ":use", ":explain", ":entity") and not arg:
            raise InputError(f"error: {COMMANDS[name].split(' — ')[0]}")
        return method(arg) if name in (":load", ":data", ":use", ":explain", ":entity") else method()

    # ------------------------------------------------------------ expressions
    def scope(self) -> Any:
        """The record type expressions are checked against, with the scratch definitions in it."""
        from standardlang.lang.types import RecordT

        rec = self.record_type()
        if rec is None:
            return RecordT("repl", dynamic=True, lets=dict(self.lets))
        return RecordT(rec.name, rec.label, fields=rec.fields, lets={**rec.lets, **self.lets}, key=rec.key,
                       entity=True, path=rec.path)

    def compile(self, text: str, name: str = "<expr>") -> Any:
        from standardlang.lang.checker import check_expression
        from standardlang.lang.parser import parse_expression
        from standardlang.engine.program import Expression

        node = parse_expression(text, name)
        scope = self.scope()
        goal_lets: dict[str, Any] = {}
        lets: dict[str, Any] = {}
        for spec in self.specs:
            lets.update(spec.checked.lets)
        if self.spec is not None:
            for key, info in self.spec.checked.lets.items():
                if key.startswith("goal:"):
                    short = key.split(".", 1)[1]
                    goal_lets[short] = info
                    lets[f".{short}"] = info  # a goal definition referred to from an ad-hoc expression
        for n, info in self.lets.items():
            lets[f"{scope.name}.{n}"] = info
        checked = check_expression(node, Source(name, text), scope, goal_lets)
        return Expression(checked, text, lets, rtype=self.record_type())

    def evaluate(self, text: str) -> str:
        from standardlang.engine.verdict import SYMBOLS

        expr = self.compile(text)
        result = expr.evaluate(self.record)
        if expr.is_condition:
            ex = result.explanation()
            lines = [f"{SYMBOLS[result.status]} {result.status.value}"]
            if ex.error:
                lines.append(f"  ! {ex.error}")
            for c in ex.checks:
                if c.children and c.detail == "all of:":
                    for child in c.children:
                        lines.extend(child.render(2))
                else:
                    lines.extend(c.render(2))
            if ex.missing:
                lines.append("  missing: " + ", ".join(ex.missing))
            return "\n".join(lines)
        if result.error:
            return f"! {result.error}"
        if result.value is None:
            missing = result.missing
            return "unknown" + (f" (missing: {', '.join(missing)})" if missing else "")
        return str(result)

    # ------------------------------------------------------------ commands
    def cmd_help(self) -> str:
        lines = ["Type an expression to evaluate it against the current record, e.g.",
                 "  households >= 100 and kind == new",
                 "  kindergarten.building_area 不小于 2200 平方米",
                 "An open bracket or a trailing `and`/`or` continues on the next line.",
                 "Commands:"]
        forms = {c: (h.split(" — ")[0] if " — " in h else c) for c, h in COMMANDS.items()}
        width = max(len(f) for f in forms.values())
        lines.extend(f"  {forms[c].ljust(width)}  {h.split(' — ')[-1]}" for c, h in COMMANDS.items())
        return "\n".join(lines)

    def cmd_quit(self) -> str:
        raise Quit()

    def cmd_load(self, path: str) -> str:
        from standardlang.engine.program import load

        spec = load(path)
        self.specs = [s for s in self.specs if s.path != spec.path] + [spec]
        entity = self.entity if self.entity in spec.entities else spec.default_entity
        if self.entity and self.entity not in spec.entities:
            entity = self._entity_named(spec, self.entity) or spec.default_entity
        self.entity = entity
        self._check_lets()
        note = self._rebind()
        return (f"loaded {spec.name} \"{spec.title}\": {len(spec.rules)} rules, "
                f"{len(spec.indicators)} indicators; entity {self.entity}" + note)

    @staticmethod
    def _entity_named(spec: Any, name: str) -> str | None:
        for ent, rec in spec.entities.items():
            if name in (ent, rec.label):
                return ent
        return None

    def _check_lets(self) -> None:
        """Recheck the scratch definitions against a new schema; drop those that no longer check."""
        texts, self.lets, self.let_texts = dict(self.let_texts), {}, {}
        for n, t in texts.items():
            try:
                self.cmd_let(f"{n} = {t}")
            except (StandardLangError, InputError):
                pass

    def cmd_data(self, path: str) -> str:
        raw, records, warnings = read_data(path, self.spec, self.entity)
        self.raw, self.data_path = raw, path
        self.records = records
        self.index = 0 if records else None
        out = [f"read {len(records)} record{'s' if len(records) != 1 else ''}"
               + (f" of {self.entity}" if self.entity else "") + f" from {path}"]
        out.extend(f"warning: {w}" for w in warnings)
        if records:
            out.append(f"current record: {self.record_id(0)}")
        return "\n".join(out)

    def _rebind(self) -> str:
        if self.raw is None:
            return ""
        current = self.record_id(self.index) if self.index is not None and self.records else None
        self.records, _ = bind_records(self.raw, self.spec, self.entity)
        self.index = 0 if self.records else None
        if current is not None:
            for i in range(len(self.records)):
                if self.record_id(i) == current:
                    self.index = i
        return f"\n{len(self.records)} records of {self.entity}"

    def cmd_entity(self, name: str) -> str:
        if self.spec is None:
            raise InputError("error: load a spec first (:load SPEC)")
        ent = self._entity_named(self.spec, name)
        if ent is None:
            from standardlang.errors import did_you_mean

            hint = did_you_mean(name, list(self.spec.entities))
            raise InputError(f"error: no entity `{name}` in {self.spec.name}" + (f"; {hint}" if hint else ""))
        self.entity = ent
        self._check_lets()
        return f"entity {ent}" + self._rebind()

    def cmd_use(self, ident: str) -> str:
        if not self.records:
            raise InputError("error: no records; read some with :data FILE")
        ident = ident.strip()
        found = None
        for i in range(len(self.records)):
            if self.record_id(i) == ident:
                found = i
                break
        if found is None:
            m = re.fullmatch(r"#?(\d+)", ident)
            if m and 1 <= int(m.group(1)) <= len(self.records):
                found = int(m.group(1)) - 1
        if found is None:
            from standardlang.errors import did_you_mean

            ids = [self.record_id(i) for i in range(len(self.records))]
            hint = did_you_mean(ident, ids)
            raise InputError(f"error: no record `{ident}` (there are {len(self.records)})" + (f"; {hint}" if hint else ""))
        self.index = found
        return f"current record: {self.record_id(found)} (#{found + 1})"

    def cmd_records(self) -> str:
        if not self.records:
            return "no records; read some with :data FILE"
        lines = []
        rec_type = self.record_type()
        name_field = next((f for f in ("name", "名称") if rec_type is not None and f in rec_type.fields), None)
        for i in range(len(self.records)):
            mark = "*" if i == self.index else " "
            rec = self.records[i]
            extra = f"  {rec.get(name_field)}" if name_field and isinstance(rec, dict) and rec.get(name_field) else ""
            lines.append(f"{mark} {i + 1:>3}  {self.record_id(i)}{extra}")
        return "\n".join(lines)

    def cmd_record(self) -> str:
        if self.index is None:
            return "no current record: expressions see an empty record (every field missing)"
        return json.dumps(_jsonable(self.record), ensure_ascii=False, indent=2)

    def cmd_rules(self) -> str:
        from standardlang.lang.model import STRENGTH_ZH
        from standardlang.engine.verdict import SYMBOLS

        if not self.specs:
            return "no spec loaded; :load SPEC"
        lines = []
        for spec, rule in self.rules():
            mark = " "
            if self.index is not None and rule.entity == self.entity:
                status = spec.judge(self.record, rule.entity, [rule], self.index).verdicts[0].status
                mark = SYMBOLS[status]
            title = f" {rule.title}" if rule.title else ""
            lines.append(f"{mark} {rule.id}{title}  [{rule.strength} {STRENGTH_ZH[rule.strength]}]")
        return "\n".join(lines)

    def cmd_explain(self, rule_id: str) -> str:
        if not self.specs:
            raise InputError("error: no spec loaded; :load SPEC")
        for spec, rule in reversed(self.rules()):
            if rule.id == rule_id:
                verdict = spec.judge(self.record, rule.entity, [rule], self.index or 0).verdicts[0]
                note = ""
                if rule.entity != self.entity:
                    note = f"\n(rule {rule.id} judges {rule.entity} records; the current record is a {self.entity})"
                return verdict.explain() + note
        for spec in reversed(self.specs):
            for ind in spec.indicators:
                if ind.id == rule_id and self.entity in ind.entities:
                    return spec.indicator_value(ind.id, self.record, self.entity).explain()
        from standardlang.errors import did_you_mean

        hint = did_you_mean(rule_id, [r.id for _, r in self.rules()])
        raise InputError(f"error: no rule `{rule_id}`" + (f"; {hint}" if hint else "; :rules lists them"))

    def cmd_schema(self) -> str:
        rec = self.record_type()
        if rec is None:
            return "no spec loaded: fields are whatever the records hold"
        lines = [f"entity {rec.name}" + (f" \"{rec.label}\"" if rec.label else "")]
        _schema_lines(rec, lines, 1)
        if self.lets:
            lines.append("scratch definitions:")
            lines.extend(f"  {n} = {t}" for n, t in self.let_texts.items())
        return "\n".join(lines)

    def cmd_let(self, rest: str) -> str:
        from standardlang.lang.checker import check_expression
        from standardlang.lang.parser import parse_expression
        from standardlang.lang.types import LetInfo

        if not rest:
            if not self.let_texts:
                return "no scratch definitions; :let NAME = EXPR"
            return "\n".join(f"{n} = {t}" for n, t in self.let_texts.items())
        m = re.fullmatch(r"([^\W\d]\w*)\s*=(?!=)\s*(.+)", rest, re.S)
        if not m:
            raise InputError("error: write :let NAME = EXPR, e.g. :let big = households >= 100")
        name, text = m.group(1), m.group(2).strip()
        from standardlang.lang.parser import KEYWORD_WORDS

        if name in KEYWORD_WORDS:
            raise InputError(f"error: `{name}` is a keyword; choose another name")
        rec = self.record_type()
        if rec is not None and (name in rec.fields or name in rec.lets):
            raise InputError(f"error: `{name}` is already a {'field' if name in rec.fields else 'definition'} "
                             f"of {rec.name}; choose another name")
        node = parse_expression(text, f"<let {name}>")
        old = self.lets.pop(name, None)
        try:
            scope = self.scope()
            goal_lets = {k.split(".", 1)[1]: v for k, v in (self.spec.checked.lets.items() if self.spec else [])
                         if k.startswith("goal:")}
            checked = check_expression(node, Source(f"<let {name}>", text), scope, goal_lets)
        except BaseException:
            if old is not None:
                self.lets[name] = old
            raise
        self.lets[name] = LetInfo(name, None, node, scope, ir=checked, type=checked.type)
        self.let_texts[name] = text
        return f"{name} = {text}  ({checked.type.describe()})"


class InputError(Exception):
    """One input failed; its message is ready to print and the session goes on."""


def _jsonable(v: Any) -> Any:
    from fractions import Fraction

    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_jsonable(x) for x in v]
    if isinstance(v, Fraction):
        return float(v)
    return v


def _schema_lines(rec: Any, lines: list[str], depth: int) -> None:
    from standardlang.lang.types import ListT, RecordT

    pad = "  " * depth
    for name, info in rec.fields.items():
        t = info.type
        label = f" \"{info.label}\"" if info.label else ""
        opt = "?" if info.optional else ""
        if info.unit:
            desc = info.unit
        elif isinstance(t, RecordT) and not t.entity:
            desc = "record"
        elif isinstance(t, ListT) and isinstance(t.elem, RecordT):
            desc = f"list of {t.elem.name}" if t.elem.entity else "list"
        else:
            desc = t.describe()
        rng = f" range {info.bounds[0]} to {info.bounds[1]}" if info.bounds else ""
        lines.append(f"{pad}{name}{opt}: {desc}{label}{rng}")
        sub = t if isinstance(t, RecordT) else (t.elem if isinstance(t, ListT) else None)
        if isinstance(sub, RecordT) and not sub.entity:
            _schema_lines(sub, lines, depth + 1)
    for name, info in rec.lets.items():
        label = f" \"{info.label}\"" if info.label else ""
        lines.append(f"{pad}let {name}{label}")


# ====================================================================== completion


def _record_at(rec: Any, parts: list[str]) -> Any:
    from standardlang.lang.types import ListT, RecordT

    t: Any = rec
    for p in parts:
        if not isinstance(t, RecordT):
            return None
        if p in t.fields:
            t = t.fields[p].type
        else:
            label = {i.label: i for i in t.fields.values() if i.label}.get(p)
            if label is None:
                return None
            t = label.type
        if isinstance(t, ListT):
            t = t.elem
    return t if isinstance(t, RecordT) else None


def completions(session: Session, text: str) -> list[tuple[str, int, str]]:
    """Completions of the text before the cursor: (replacement, start offset back, meta)."""
    from standardlang.tools.lexer import CONSTANTS, FUNCTIONS, KEYWORDS, UNITS

    line = text.split("\n")[-1]
    stripped = line.lstrip()
    if stripped.startswith(":") and " " not in stripped:
        names = list(COMMANDS)
        return [(c, len(stripped), COMMANDS[c].split(" — ")[-1]) for c in names if c.startswith(stripped)]
    word = re.search(r"[\w.]*$", line).group(0)
    if stripped.startswith(":explain "):
        ids = [(r.id, r.title) for _, r in session.rules()]
        ids += [(i.id, i.title) for s in session.specs for i in s.indicators if session.entity in i.entities]
        return [(i, len(word), t or "") for i, t in ids if i.startswith(word)]
    if stripped.startswith(":use "):
        ids = [session.record_id(i) for i in range(len(session.records))]
        return [(i, len(word), "") for i in ids if i.startswith(word)]
    if stripped.startswith(":entity "):
        ents = list(session.spec.entities) if session.spec else []
        return [(e, len(word), "") for e in ents if e.startswith(word)]
    if stripped.startswith((":load ", ":data ")):
        return []
    before = line[: len(line) - len(word)]
    out: list[tuple[str, int, str]] = []
    if re.search(r"[0-9]\s*$", before) and "." not in word:
        out.extend((u, len(word), "unit") for u in UNITS if u.startswith(word) and word)
        if not word:
            out.extend((u, 0, "unit") for u in UNITS)
        return out
    rec = session.scope()
    if "." in word:
        head, _, last = word.rpartition(".")
        if not head or head[0].isdigit():
            return []
        sub = _record_at(rec, head.split("."))
        if sub is None:
            return []
        return _field_completions(sub, last, len(last))
    if not word:
        return []
    out.extend(_field_completions(rec, word, len(word)))
    if session.spec is not None:
        for key, info in session.spec.checked.lets.items():
            if key.startswith("goal:"):
                short = key.split(".", 1)[1]
                if short.startswith(word):
                    out.append((short, len(word), info.label or "definition"))
        for enum in session.spec.checked.enums.values():
            for m in enum.members:
                if m.startswith(word):
                    out.append((m, len(word), f"{enum.name}"))
    for w in sorted(set(KEYWORDS + CONSTANTS)):
        if w.startswith(word) and w != word:
            out.append((w, len(word), "keyword"))
    for f in FUNCTIONS:
        if f.startswith(word):
            out.append((f + "(", len(word), "function"))
    seen: set[str] = set()
    unique = []
    for c in out:
        if c[0] not in seen:
            seen.add(c[0])
            unique.append(c)
    return unique


def _field_completions(rec: Any, prefix: str, back: int) -> list[tuple[str, int, str]]:
    out = []
    for name, info in rec.fields.items():
        if name.startswith(prefix):
            out.append((name, back, info.label or ""))
        elif info.label and info.label.startswith(prefix):
            out.append((name, back, info.label))
    for name, info in rec.lets.items():
        if name.startswith(prefix) or (info.label and info.label.startswith(prefix)):
            out.append((name, back, info.label or "definition"))
    return out
