"""The JUnit XML report, for CI systems that show test results.

Takes a list of :class:`~standardlang.engine.program.Report` and
:class:`~standardlang.reports.Options`; gives a ``<testsuites>`` document with a
``<testsuite>`` per spec and entity (``demo.community``) and one per spec and
entity for indicators (``demo.indicators.city``), a ``<testcase>`` per record ×
rule.  A verdict is a ``<failure>`` when it fails the run under ``--fail-on``
(fail or error of a shall rule; of a should rule too with ``--fail-on should``;
never with ``--fail-on never``), ``<skipped>`` when not applicable or unknown,
and a passing test case otherwise (a failed ``may`` or, by default, ``should``
rule is noted in ``<system-out>``).  Explanations follow ``options.lang`` (``zh``: Chinese);
status and strength tokens (``fail [shall]``, ``type=``) stay English for the tools that read them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from standardlang.engine.verdict import Status
from standardlang.reports import Options, is_failure, is_indicator_failure, one_line, source_of, word

_BAD_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: Any) -> str:
    return _BAD_XML.sub("", "" if text is None else str(text))


def render_junit(reports: list[Any], options: Options | None = None) -> str:
    o = options or Options()
    root = ET.Element("testsuites", name="standardlang")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rep in reports:
        entities = list(dict.fromkeys(r.entity for r in rep.results))
        for entity in entities:
            suite = ET.SubElement(root, "testsuite", name=_x(f"{rep.spec.name}.{entity}"))
            counts = {"tests": 0, "failures": 0, "skipped": 0}
            for res in (r for r in rep.results if r.entity == entity):
                src = source_of(rep, res.record)
                for v in res.verdicts:
                    title = f" {v.rule.title}" if v.rule.title else ""
                    case = ET.SubElement(suite, "testcase", classname=_x(f"{rep.spec.name}.{entity}.{res.record_id}"),
                                         name=_x(f"{v.rule.id}{title}"))
                    if src is not None:
                        case.set("file", _x(src.file))
                    counts["tests"] += 1
                    if is_failure(v, o.fail_on):
                        counts["failures"] += 1
                        el = ET.SubElement(case, "failure", type=v.status.value,
                                           message=_x(f"{v.status.value} [{v.rule.strength}]: {one_line(v, src, lang=o.lang)}"))
                        el.text = _x(v.explain(o.lang) if v.status is not Status.ERROR else one_line(v, src, lang=o.lang))
                    elif v.status in (Status.NOT_APPLICABLE, Status.UNKNOWN):
                        counts["skipped"] += 1
                        why = one_line(v, src, lang=o.lang)
                        if v.status is Status.UNKNOWN:
                            why = word("unknown_label", o.lang) + why if why else word("unknown", o.lang)
                        ET.SubElement(case, "skipped", type=v.status.value, message=_x(why))
                    elif v.status is not Status.PASS:
                        out = ET.SubElement(case, "system-out")
                        out.text = _x(f"{v.status.value} [{v.rule.strength}]: {one_line(v, src, lang=o.lang)}")
            _set_counts(suite, counts, totals)
        ind_entities = list(dict.fromkeys(i.entity for i in rep.indicators))
        for entity in ind_entities:
            suite = ET.SubElement(root, "testsuite", name=_x(f"{rep.spec.name}.indicators.{entity}"))
            counts = {"tests": 0, "failures": 0, "skipped": 0}
            for i in (x for x in rep.indicators if x.entity == entity):
                case = ET.SubElement(suite, "testcase", classname=_x(f"{rep.spec.name}.{entity}.{i.record_id}"),
                                     name=_x(f"{i.indicator.id} {i.indicator.title or ''}".strip()))
                counts["tests"] += 1
                text = (word("indicator_value_line", o.lang).format(value=i.value_text_in(o.lang), target=i.target_text)
                        + f" [{word(i.indicator.attribute, o.lang)}]")
                if is_indicator_failure(i, o.fail_on):
                    counts["failures"] += 1
                    el = ET.SubElement(case, "failure", type=i.status.value, message=_x(text))
                    el.text = _x(i.explain(o.lang))
                elif i.status is Status.UNKNOWN:
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", message=_x(word("unknown_label", o.lang) + text))
                elif i.status is not Status.PASS:
                    ET.SubElement(case, "system-out").text = _x(f"{i.status.value}: {text}")
            _set_counts(suite, counts, totals)
    _set_counts(root, totals, None)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _set_counts(el: ET.Element, counts: dict[str, int], totals: dict[str, int] | None) -> None:
    el.set("tests", str(counts["tests"]))
    el.set("failures", str(counts["failures"]))
    el.set("errors", "0")
    el.set("skipped", str(counts["skipped"]))
    if totals is not None:
        for k in totals:
            totals[k] += counts[k]
