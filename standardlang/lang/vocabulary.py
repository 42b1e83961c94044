"""The words of standardlang, in one place: keywords, operators, units, strengths, phrases.

Takes nothing (it imports no other module of the package); gives the tables that every
other module reads, so that a word is added or changed by one edit here:

* the grammar's word rules (units, strength and attribute words, comparison and logic
  operators with their Chinese aliases, statuses, quantifiers, scalar types) are written
  from these tables by :func:`standardlang.lang.grammar.grammar_text`; after an edit here,
  rebuild the LALR tables with ``python -m standardlang.lang.parser`` (``tests/test_vocabulary.py``
  says when that was forgotten, and checks that the grammar, the Pygments lexer, the
  formatter and the unit table agree with this module);
* :mod:`standardlang.lang.units` builds its unit table from :data:`UNITS`;
* the checker, the back ends and the tools read operator, function and strength tables;
* explanations, reports and the HTML page (which receives them as JSON data) read the
  English and Chinese phrases.
"""

from __future__ import annotations

from fractions import Fraction

# ---------------------------------------------------------------------------- keywords

#: words that open a declaration or a block
DECLARATIONS = ("standard", "enum", "entity", "goal", "item", "rule", "indicator", "let", "alternative", "example")
#: the other structural words (types, clauses, examples, conditionals)
CLAUSES = ("key", "record", "list", "of", "by", "set", "range", "to", "for", "applies", "when", "cite",
           "reading", "require", "given", "expect", "value", "target", "deadline", "unit", "if", "then",
           "else", "where")
#: Chinese spellings of clause keywords: alias -> the English words it stands for
CLAUSE_ALIASES = {"适用于": "applies when", "要求": "require"}
#: scalar field types
TYPES = ("bool", "text", "number", "count")
#: literal constants
CONSTANTS = ("true", "false", "null")
#: the verdicts an example may expect
EXAMPLE_STATUSES = ("pass", "fail", "unknown", "not_applicable")
#: the quantifiers of ``contains``
QUANTIFIERS = ("all", "any")

# ---------------------------------------------------------------------------- strengths and attributes

#: strength word as written -> canonical strength (Chinese standards write 应 宜 可)
STRENGTHS = {"shall": "shall", "should": "should", "may": "may", "应": "shall", "宜": "should", "可": "may"}
#: canonical strengths, strongest first
STRENGTH_ORDER = ("shall", "should", "may")
STRENGTH_ZH = {"shall": "应", "should": "宜", "may": "可"}
#: an indicator's attribute word as written -> canonical attribute
ATTRIBUTES = {"binding": "binding", "expected": "expected", "约束性": "binding", "预期性": "expected"}
ATTRIBUTE_ORDER = ("binding", "expected")
ATTRIBUTE_ZH = {"binding": "约束性", "expected": "预期性"}

# ---------------------------------------------------------------------------- operators

#: comparison written with symbols -> canonical operator
COMPARISON_SYMBOLS = {">=": ">=", "<=": "<=", "==": "==", "!=": "!=", ">": ">", "<": "<",
                      "≥": ">=", "≤": "<=", "≠": "!="}
#: comparison words of Chinese standards -> canonical operator (also glued to a number: 不小于2200)
COMPARISON_WORDS = {"不小于": ">=", "不少于": ">=", "不低于": ">=", "不大于": "<=", "不多于": "<=",
                    "不超过": "<=", "大于": ">", "小于": "<", "等于": "=="}
#: every spelling of a comparison -> canonical operator
COMPARISONS = {**COMPARISON_SYMBOLS, **COMPARISON_WORDS}
#: logic words as written -> canonical operator
LOGIC_WORDS = {"and": "and", "且": "and", "or": "or", "或": "or", "not": "not", "非": "not"}
#: the other operator words
OPERATOR_KEYWORDS = ("in", "between", "contains")
#: the Chinese operator words: glued to a neighbour they make one name (不小于2200平方米 is fine,
#: 面积不小于 is a name), which the parser and checker explain in their hints
OPERATOR_ALIASES = tuple(COMPARISON_WORDS) + tuple(w for w in LOGIC_WORDS if not w.isascii())
#: canonical comparison -> the symbol shown in explanations and documents
OP_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}
#: canonical comparison -> the same comparison with its operands swapped (a < b  ==  b > a)
MIRROR = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "==": "==", "!=": "!="}

# ---------------------------------------------------------------------------- functions

#: aggregates over a list: f(coll), f(item for coll), f(coll where cond)
AGGREGATES = ("count", "sum", "avg", "min", "max", "all", "any", "share")
#: functions of plain values
BUILTINS = ("min", "max", "abs")
#: every function name an expression may call
FUNCTIONS = AGGREGATES + ("present", "abs")

# ---------------------------------------------------------------------------- units

#: unit word as written -> (dimension, factor to the base unit).  Dimensions: area (base m²),
#: length (m), time (min), ratio (a dimensionless fraction: 10 % is 1/10).
UNITS: dict[str, tuple[str, Fraction]] = {
    "m2": ("area", Fraction(1)), "㎡": ("area", Fraction(1)), "平方米": ("area", Fraction(1)),
    "ha": ("area", Fraction(10000)), "公顷": ("area", Fraction(10000)),
    "m": ("length", Fraction(1)), "米": ("length", Fraction(1)),
    "km": ("length", Fraction(1000)), "千米": ("length", Fraction(1000)), "公里": ("length", Fraction(1000)),
    "min": ("time", Fraction(1)), "分钟": ("time", Fraction(1)),
    "h": ("time", Fraction(60)), "小时": ("time", Fraction(60)),
    "day": ("time", Fraction(1440)), "days": ("time", Fraction(1440)), "天": ("time", Fraction(1440)),
    "%": ("ratio", Fraction(1, 100)), "‰": ("ratio", Fraction(1, 1000)),
}

#: the reserved English words: never a name, so the formatter quotes a record key spelled so
KEYWORDS = frozenset(DECLARATIONS + CLAUSES + TYPES + CONSTANTS + EXAMPLE_STATUSES + QUANTIFIERS
                     + OPERATOR_KEYWORDS + tuple(w for w in (*STRENGTHS, *ATTRIBUTES, *LOGIC_WORDS) if w.isascii()))
#: every word the grammar spells out as a literal (the Chinese comparison words, which may be
#: glued to a number, are one pattern instead: see :data:`COMPARISON_WORDS`); a test checks
#: that the grammar has exactly these
GRAMMAR_WORDS = KEYWORDS | frozenset((*CLAUSE_ALIASES, *STRENGTHS, *ATTRIBUTES, *LOGIC_WORDS,
                                      *(u for u in UNITS if u[0].isalnum())))

# ---------------------------------------------------------------------------- verdicts

#: every verdict status, in report order
STATUS_ORDER = ("pass", "fail", "unknown", "not_applicable", "error")
#: one character per status, for text reports, explanations and the HTML page
STATUS_SYMBOLS = {"pass": "✓", "fail": "✗", "unknown": "?", "not_applicable": "–", "error": "!"}

# ---------------------------------------------------------------------------- phrases (en / zh)

#: the sentences of explanations (``{a}`` an expression's text, ``{v}`` its value, ...)
EXPLAIN_PHRASES = {
    "en": {"is": "{a} is {v}", "needs": "{a} is {v}, needs {op} {t}",
           "pair": "{a} is {va} and {b} is {vb}; needs {a} {op} {b}",
           "between": "{a} is {v}, needs between {lo} and {hi}", "present": "{a} is present",
           "absent": "{a} is absent", "in": "{a} is {v}, needs to be in {c}",
           "not_in": "{a} is {v}, needs not to be in {c}", "contains": "{a} is {v}, needs to contain {q}{c}",
           "all_of": "all of ", "any_of": "any of ", "missing": " (missing: {m})",
           "settled": " (not recorded: {m}; decided whatever they are)", "and": "all of:",
           "or": "any of:", "not": "not:", "unknown": "unknown"},
    "zh": {"is": "{a} 为 {v}", "needs": "{a} 为 {v},要求 {op} {t}",
           "pair": "{a} 为 {va},{b} 为 {vb};要求 {a} {op} {b}",
           "between": "{a} 为 {v},要求介于 {lo} 与 {hi} 之间", "present": "{a}:有",
           "absent": "{a}:无", "in": "{a} 为 {v},要求属于 {c}", "not_in": "{a} 为 {v},要求不属于 {c}",
           "contains": "{a} 为 {v},要求包含{q} {c}", "all_of": "全部", "any_of": "任一",
           "missing": "(缺少数据:{m})", "settled": "(未记录:{m};无论其值如何,结论不变)",
           "and": "全部满足:", "or": "满足其一:", "not": "不成立:",
           "unknown": "未知"},
}

#: how a partly known value reads (an aggregate over records some of which lack the data):
#: only a lower end, only an upper end; both ends read `60 %–80 %` in either language
VALUE_RANGE_WORDS = {"en": ("at least {v}", "at most {v}"), "zh": ("至少 {v}", "至多 {v}")}

#: the headings of a rendered explanation (English status words are the statuses themselves)
EXPLANATION_WORDS = {
    "en": {"record": "record", "applies": "applies when:", "requires": "requires:", "alternative": "or alternative",
           "missing": "missing:", "source": "source", "reading": "reading:", "pass": "pass", "fail": "fail",
           "unknown": "unknown", "not_applicable": "not_applicable", "error": "error",
           "not_adopted": "not adopted: the permission (may) was not taken up, which is not a failure",
           "not_adopted_short": "not adopted"},
    "zh": {"record": "记录", "applies": "适用条件:", "requires": "要求:", "alternative": "或替代方案",
           "missing": "缺少数据:", "source": "出处", "reading": "解读:", "pass": "通过", "fail": "不通过",
           "unknown": "未知", "not_applicable": "不适用", "error": "数据错误",
           "not_adopted": "未采用:未使用此许可(可),不算不通过", "not_adopted_short": "未采用"},
}

#: the words of the text, CSV and JUnit reports
REPORT_WORDS = {
    "en": {
        "pass": "pass", "fail": "fail", "unknown": "unknown", "not_applicable": "not_applicable", "error": "error",
        "shall": "shall", "should": "should", "may": "may", "binding": "binding", "expected": "expected",
        "record": "record", "rule": "rule", "summary": "summary", "strength": "strength", "total": "total",
        "failed_requirements": "failed requirements", "failed_recommendations": "failed recommendations",
        "data_errors": "data errors", "indicators": "indicators", "indicator": "indicator", "target": "target",
        "actual": "actual", "status": "status", "read": "read", "records": "records", "judged": "judged",
        "against": "against", "rules": "rules", "from": "from", "notes": "notes", "missing_often": "most often missing",
        "unknown_verdicts": "unknown verdicts", "where": "filter", "kept": "kept", "excluded": "left out",
        "undetermined": "could not be filtered (not judged)", "result_ok": "OK: nothing fails",
        "result_fail": "requirements fail", "holding_back": "holding back", "of": "of", "value": "value",
        "attribute": "attribute", "deadline": "deadline", "no_indicators": "no indicator values",
        "could_not_judge": "rules not judged", "fail_on_never": "(--fail-on never: the exit code ignores failures)",
        "not_applicable_text": "not applicable", "or_alternative": "or", "missing_label": "missing: ",
        "failed_label": "failed: ", "unknown_label": "unknown: ",
        "not_adopted_note": "of the may (可) verdicts not_applicable, {n} are permissions not taken up (not adopted): "
                            "not failures",
    },
    "zh": {
        "pass": "通过", "fail": "不通过", "unknown": "未知", "not_applicable": "不适用", "error": "错误",
        "shall": "应", "should": "宜", "may": "可", "binding": "约束性", "expected": "预期性",
        "record": "记录", "rule": "条款", "summary": "汇总", "strength": "强度", "total": "合计",
        "failed_requirements": "未通过的要求(应)", "failed_recommendations": "未通过的建议(宜)",
        "data_errors": "数据错误", "indicators": "指标", "indicator": "指标", "target": "目标值",
        "actual": "实际值", "status": "结论", "read": "读取", "records": "条记录", "judged": "判定",
        "against": "依据", "rules": "条条款", "from": "来自", "notes": "提示", "missing_often": "最常缺少",
        "unknown_verdicts": "未知结论", "where": "筛选", "kept": "保留", "excluded": "排除",
        "undetermined": "无法筛选(未判定)", "result_ok": "通过:没有未通过的要求", "result_fail": "项要求未通过",
        "not_adopted_note": "可 不适用 中有 {n} 项为未采用的许可(未采用此许可,不算不通过)",
        "holding_back": "拖后腿的", "of": "/", "value": "值", "attribute": "属性", "deadline": "期限",
        "no_indicators": "没有指标值", "could_not_judge": "未能判定的条款",
        "fail_on_never": "(--fail-on never:退出码不计未通过项)",
        "not_applicable_text": "不适用", "or_alternative": "或", "missing_label": "缺少数据: ",
        "failed_label": "未通过: ", "unknown_label": "未知: ",
    },
}

#: the words of the HTML report's page (its JavaScript receives them as data, never as code)
HTML_WORDS = {
    "zh": {
        "title": "标准评估报告", "pass": "通过", "fail": "不通过", "unknown": "未知(缺数据)",
        "not_applicable": "不适用", "error": "数据错误", "shall": "应(要求)", "should": "宜(建议)",
        "may": "可(允许)", "all_districts": "全部区域", "all_goals": "全部目标",
        "all_strengths": "全部强度", "all_statuses": "全部结论", "requirements": "仅要求(应)",
        "recommendations": "仅建议(宜、可)", "total": "合计", "record": "记录", "goal": "目标",
        "rule": "条款", "strength": "强度", "status": "结论", "cites": "引用条文", "readings": "解读",
        "explanation": "判断过程", "close": "关闭", "indicators": "指标", "binding": "约束性指标",
        "expected": "预期性指标", "target": "目标值", "value": "实际值", "deadline": "期限",
        "legend": "图例", "source": "依据", "no_group": "(未填)", "counts": "结论统计",
        "others": "其他层级", "rows_shown": "显示记录", "rules_shown": "显示条款",
        "click_hint": "点击格子查看判断依据与过程", "error_msg": "错误", "entity": "对象",
        "no_rows": "没有符合筛选条件的记录", "district": "区", "subdistrict": "街道",
        "bar_hint": "色条为实际值,黑线为目标值;点击查看出处",
        "item": "条目", "all_items": "全部条目", "item_short": "项", "item_outcome": "条目结论(应的条款全部通过为达到)",
        "item_summary": "条目汇总(达到 ✓ / 未达到 ✗ / 未知 ? / 不适用 –)", "all_records": "全部",
        "item_pass": "达到", "item_fail": "未达到", "item_unknown": "未知", "item_not_applicable": "不适用",
        "item_error": "数据错误",
    },
    "en": {
        "title": "Standards report", "pass": "pass", "fail": "fail", "unknown": "unknown (missing data)",
        "not_applicable": "not applicable", "error": "data error", "shall": "shall (requirement)",
        "should": "should (recommendation)", "may": "may (permission)", "all_districts": "All districts",
        "all_goals": "All goals", "all_strengths": "All strengths", "all_statuses": "All verdicts",
        "requirements": "Requirements only (shall)", "recommendations": "Recommendations only (should, may)",
        "total": "Total", "record": "Record", "goal": "Goal", "rule": "Rule", "strength": "Strength",
        "status": "Verdict", "cites": "Cited clause", "readings": "Readings", "explanation": "Explanation",
        "close": "Close", "indicators": "Indicators", "binding": "Binding indicators",
        "expected": "Expected indicators", "target": "target", "value": "actual", "deadline": "deadline",
        "legend": "Legend", "source": "Source", "no_group": "(not given)", "counts": "Verdict counts",
        "others": "Other levels", "rows_shown": "records shown", "rules_shown": "rules shown",
        "click_hint": "Click a cell for the cited clause and the reasoning", "error_msg": "error",
        "entity": "Entity", "no_rows": "No record matches the filters", "district": "district",
        "subdistrict": "subdistrict",
        "bar_hint": "The bar is the actual value, the black line the target; click for the source",
        "item": "Item", "all_items": "All items", "item_short": "item", "item_outcome": "Item outcome (met when every shall rule passes)",
        "item_summary": "Item summary (met ✓ / not met ✗ / unknown ? / not applicable –)", "all_records": "all",
        "item_pass": "met", "item_fail": "not met", "item_unknown": "unknown", "item_not_applicable": "not applicable",
        "item_error": "data error",
    },
}

#: a strength in the generated documentation: Chinese word and English meaning
DOC_STRENGTH_WORDS = {"shall": "要求 requirement", "should": "建议 recommendation", "may": "许可 permission"}

#: every phrase table, by name: each has the same keys in every language (a test checks it)
PHRASE_TABLES = {"explain": EXPLAIN_PHRASES, "explanation": EXPLANATION_WORDS, "report": REPORT_WORDS,
                 "html": HTML_WORDS}
LANGUAGES = ("en", "zh")
