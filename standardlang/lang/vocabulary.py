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

#: the fields, in order, that name a record of data given without a spec (``eval --data``)
RECORD_ID_FIELDS = ("id", "编号", "name", "名称")

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
           "absent": "{a} is absent", "not_recorded": "{a} is not recorded (not surveyed)", "in": "{a} is {v}, needs to be in {c}",
           "not_in": "{a} is {v}, needs not to be in {c}", "contains": "{a} is {v}, needs to contain {q}{c}",
           "all_of": "all of ", "any_of": "any of ", "missing": " (missing: {m})",
           "settled": " (not recorded: {m}; decided whatever they are)", "and": "all of:",
           "or": "any of:", "not": "not:", "unknown": "unknown"},
    "zh": {"is": "{a} 为 {v}", "needs": "{a} 为 {v},要求 {op} {t}",
           "pair": "{a} 为 {va},{b} 为 {vb};要求 {a} {op} {b}",
           "between": "{a} 为 {v},要求介于 {lo} 与 {hi} 之间", "present": "{a}:有",
           "absent": "{a}:无", "not_recorded": "{a}:未记录(未调查)", "in": "{a} 为 {v},要求属于 {c}", "not_in": "{a} 为 {v},要求不属于 {c}",
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
           "not_adopted_short": "not adopted", "binding": "binding", "expected": "expected",
           "indicator_head": "{id} {title} [{attribute}] for {entity} {record}",
           "indicator_value": "value {value}, target {target}: {status}",
           "settled_missing": "not recorded (decided whatever they are):"},
    "zh": {"record": "记录", "applies": "适用条件:", "requires": "要求:", "alternative": "或替代方案",
           "missing": "缺少数据:", "source": "出处", "reading": "解读:", "pass": "通过", "fail": "不通过",
           "unknown": "未知", "not_applicable": "不适用", "error": "数据错误",
           "not_adopted": "未采用:未使用此许可(可),不算不通过", "not_adopted_short": "未采用",
           "binding": "约束性", "expected": "预期性", "indicator_head": "{id} {title} [{attribute}] {entity} {record}",
           "indicator_value": "值 {value},目标 {target}:{status}", "settled_missing": "未记录(无论其值如何,结论不变):"},
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
        # the text report's sentences ({records}, {rules}, ... are counted nouns: see COUNTED)
        "read_line": "read {records}{parts}{files}; {judged}", "read_parts": " ({parts})",
        "judged_line": "judged {records} against {rules}", "computed_line": "computed {indicators}",
        "both_names": "{en} ({zh})", "source": "source", "met": "met", "all_records": "all", "item": "item",
        "item_n": "item {id}", "item_legend": "{id}", "items_of_standard": "items of the standard:",
        "item_summary": "item summary (met ✓ / not met ✗ / unknown ? / not applicable –)",
        "not_a_level": "{file}: {listed} is no level of spec {spec}; not read for it",
        "not_levels": "{file}: {listed} are no levels of spec {spec}; not read for it",
        "indicator_value_line": "value {value}, target {target}",
        # the summary at the end of the text report
        "in_short": "in short", "list_sep": "; ",
        "level_line": "{spec}: {judged}{label} judged; on average {met} of {total} applicable {what}{strength} met "
                      "({unknown} unknown); {all_met} of {n} meet all",
        "level_label": " ({label})", "level_no_label": "", "level_items": "items", "level_rules": "rules",
        "shall_and_should": " (shall and should)",
        "items_not_met": "  items most often not met: {parts}", "rules_failed": "  rules most often failed: {parts}",
        "no_indicator_off": "{spec}: no binding indicator is off target at the top levels",
        "indicators_off": "{spec}: {indicators} off target at the top levels: {parts}",
        "next_steps": "try next: {parts}", "next_html": "a page to browse: add {html}", "next_why": "why: {command}",
        "next_lang": "in Chinese: --lang zh",
        "failed_run": "FAILED (--fail-on {fail_on}): {fails} (of {rules} in {records}), {errors} in error",
        "no_indicator_value_off": ", no indicator value off target",
        "indicator_values_off": ", {values} off target (of {kinds}, at every level)",
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
        "read_line": "读取 {records}{parts}{files};{judged}", "read_parts": "({parts})",
        "judged_line": "判定 {records},依据 {rules}", "computed_line": "计算 {indicators}",
        "both_names": "{zh}", "source": "出处", "met": "达到", "all_records": "全部", "item": "条目",
        "item_n": "第{id}项", "item_legend": "第{id}项", "items_of_standard": "标准条目:",
        "item_summary": "条目汇总(达到 ✓ / 未达到 ✗ / 未知 ? / 不适用 –)",
        "not_a_level": "{file}: {listed} 不是 {spec} 的实体层级,未读取",
        "not_levels": "{file}: {listed} 不是 {spec} 的实体层级,未读取",
        "indicator_value_line": "值 {value},目标 {target}",
        "in_short": "概要", "list_sep": ";",
        "level_line": "{spec}:判定 {judged}{label};平均每个满足 {met} / {total} {what}{strength}"
                      "(未知 {unknown});全部满足的 {all_met} 个",
        "level_label": "{label}", "level_no_label": "{entity}", "level_items": "项", "level_rules": "条条款", "shall_and_should": "(应、宜)",
        "items_not_met": "  最常未满足的项:{parts}", "rules_failed": "  最常未通过的条款:{parts}",
        "no_indicator_off": "{spec}: 城市与区级约束性指标均未见未达标",
        "indicators_off": "{spec}:{indicators}在市、区层级未达标:{parts}",
        "next_steps": "下一步:{parts}", "next_html": "网页报告:加 {html}", "next_why": "查看原因:{command}",
        "next_lang": "英文报告:--lang en",
        "failed_run": "未通过(--fail-on {fail_on}):{fails}(涉及 {rules}、{records}),{errors}因数据错误未能判定",
        "no_indicator_value_off": ",0 个指标值未达标",
        "indicator_values_off": ",{values}未达标(涉及 {kinds},各层级合计)",
    },
}

#: a number with its noun: ``singular|plural`` in English (``{n}`` the number; ``entity`` also takes
#: ``{noun}`` and ``{nouns}``, an entity's name); read through :func:`counted`
COUNTED = {
    "en": {"record": "{n} record|{n} records", "rule": "{n} rule|{n} rules",
           "indicator": "{n} indicator|{n} indicators", "binding_indicator": "{n} binding indicator|{n} binding indicators",
           "binding_or_expected_indicator": "{n} binding or expected indicator|{n} binding or expected indicators",
           "verdict": "{n} verdict|{n} verdicts", "failed_verdict": "{n} failed verdict|{n} failed verdicts",
           "indicator_value": "{n} indicator value|{n} indicator values", "times": "{n} record|{n} records",
           "entity": "{n} {noun}|{n} {nouns}"},
    "zh": {"record": "{n} 条记录", "rule": "{n} 条条款", "indicator": "{n} 项指标", "binding_indicator": "{n} 项约束性指标",
           "binding_or_expected_indicator": "{n} 项约束性和预期性指标", "verdict": "{n} 个结论",
           "failed_verdict": "{n} 个不通过的结论", "indicator_value": "{n} 个指标值", "times": "{n} 个",
           "entity": "{n} 个"},
}

#: English plurals of the report's nouns that do not just add ``s``
EN_PLURALS = {"community": "communities", "city": "cities"}


def counted(n: int, key: str, lang: str = "en", /, **names: str) -> str:
    """``n`` with its noun from :data:`COUNTED` (``key``): ``1 record``, ``2 records``, ``2 条记录``."""
    forms = COUNTED.get(lang, COUNTED["en"])[key].split("|")
    return (forms[0] if n == 1 else forms[-1]).format(n=n, **names)


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

#: the words of the plan as text (``standardlang plan``)
PLAN_WORDS = {
    "en": {"title": "Plan: what to build", "communities": "communities", "affected": "with something to build",
           "build": "to build", "enlarge": "existing facilities to enlarge", "add": "figures to add",
           "reduce": "figures to lower", "members": "members to add", "set": "to establish (true)",
           "choose": "to choose", "items": "items (communities)", "indicators": "indicators",
           "city": "city", "district": "district", "subdistrict": "subdistrict", "item": "item {id}",
           "or": "or", "unknown": "unknown", "unknown_value": "unknown",
           "incomplete": "(does not pass every rule of the item)",
           "nothing": "nothing to build", "met": "target met", "per": "each", "unsolved": "not solved",
           "whatif": "What-if: projects applied year by year", "missed": "targets still missed in", "specs": "specs",
           "survey": "survey first (not recorded: not counted as to build)",
           "survey_one": "survey first: {f} not recorded — nothing proposed until the survey says whether it is there"},
    "zh": {"title": "规划:需要建设的内容", "communities": "个社区", "affected": "有待建设",
           "build": "新建设施", "enlarge": "需扩建的现有设施", "add": "需增加的数量", "reduce": "需降低的数量",
           "members": "需增加的内容", "set": "需建立(是)", "choose": "需选择", "items": "条目(社区数)",
           "indicators": "指标", "city": "市", "district": "区", "subdistrict": "街道/镇", "item": "第{id}项",
           "or": "或", "unknown": "待定", "unknown_value": "未知", "incomplete": "(未能满足该条目全部规则)",
           "nothing": "无需建设", "met": "已达标", "per": "每", "unsolved": "无法给出",
           "whatif": "情景推演:逐年实施项目", "missed": "仍未达标的指标,截至", "specs": "规范",
           "survey": "先调查(未记录,不计入新建)",
           "survey_one": "先调查:{f}未记录——调查确认有无之前不提出建设"},
}

#: the words of the plan's what-if part (projects applied year by year)
WHATIF_WORDS = {
    "en": {"title": "What-if: projects applied year by year", "now": "now", "year": "{year} end of",
           "failed": "shall-rules failed", "items": "communities failing items", "project": "project",
           "fixes": "fixes", "rules": "rules", "items_": "items", "indicators": "indicators",
           "nothing": "fixes no rule on its own", "missed": "targets still missed at the end of {deadline}:",
           "none_missed": "every indicator target is met by the end of", "error": "not applied",
           "no_indicators": "no indicator in the specs given: give the indicators spec to see the targets",
           "unknown": "cannot be judged (data missing) at the end of", "unknown_value": "unknown",
           "against_target": "{value} (target {target})",
           "more_below": "… {n} more below district level (all in the JSON plan)"},
    "zh": {"title": "情景推演:逐年实施项目", "now": "现状", "year": "{year}年末", "failed": "未满足的“应”规则",
           "items": "未达标条目的社区数", "project": "项目", "fixes": "解决", "rules": "规则", "items_": "条目",
           "indicators": "指标", "nothing": "单独实施不能使任何规则通过",
           "missed": "截至以下年份仍未达标的指标: {deadline}",
           "none_missed": "全部指标目标均已达成,截至", "error": "无法实施",
           "no_indicators": "所给规范中没有指标:请同时给出指标规范",
           "unknown": "因数据缺失无法判定的指标,截至", "unknown_value": "未知",
           "against_target": "{value}(目标 {target})", "more_below": "… {n} 项为区以下层级(完整列表见JSON)"},
}

#: the words of the plan's HTML page
PLAN_HTML_WORDS = {
    "en": {"title": "Plan: what to build", "city": "City", "district": "District", "subdistrict": "Subdistrict",
           "build": "To build", "add": "Figures to add", "reduce": "Figures to lower", "enlarge": "To enlarge",
           "members": "Members to add", "items": "Communities failing each item", "indicators": "Indicators",
           "facility": "facility", "count": "count", "figure": "figure", "total": "total", "item": "item",
           "communities": "communities", "target": "target", "now": "now", "ways": "to reach the target",
           "affected": "communities with something to build", "projects": "Projects", "fixes": "fixes",
           "missed": "Targets still missed at the end of", "none": "nothing", "subdistricts": "Subdistricts",
           "unknown_value": "unknown",
           "survey": "Survey first: facilities not recorded (not counted as to build)"},
    "zh": {"title": "规划:需要建设的内容", "city": "市", "district": "区", "subdistrict": "街道/镇",
           "build": "新建设施", "add": "需增加的数量", "reduce": "需降低的数量", "enlarge": "需扩建的现有设施",
           "members": "需增加的内容", "items": "各条目未达标的社区数", "indicators": "指标",
           "facility": "设施", "count": "数量", "figure": "项目", "total": "合计", "item": "条目",
           "communities": "社区数", "target": "目标", "now": "现状", "ways": "达标所需",
           "affected": "个社区有待建设", "projects": "项目", "fixes": "解决",
           "missed": "截至以下年份仍未达标的指标:", "none": "无", "subdistricts": "街道/镇", "unknown_value": "未知",
           "survey": "先调查:未记录的设施(不计入新建)"},
}

#: the words of ``standardlang explain`` around the explanation itself
EXPLAIN_COMMAND_WORDS = {
    "en": {"spec": "spec {name}  {title}", "standard": "standard: {source}", "record": "record {record} of {entity}",
           "from": ", from {source}", "goal": "goal {goal}", "problems": "data problems{where}:",
           "where": " ({source})", "shortfall": "shortfall (the nearest change that passes):",
           "permission": "a permission (may): not adopting it is no failure; to adopt it:",
           "decide": "what would decide it:",
           "below": "{level} records below ({n}; {lagging} not meeting the target), those holding it back first:",
           "more": "  ... {n} more"},
    "zh": {"spec": "规范 {name}  {title}", "standard": "标准:{source}", "record": "记录 {record}({entity})",
           "from": ",来自 {source}", "goal": "目标 {goal}", "problems": "数据问题{where}:",
           "where": "({source})", "shortfall": "差距(通过所需的最小改变):",
           "permission": "这是许可(可),未采用不算违反;若采用:", "decide": "可判定的取值:",
           "below": "下一层级 {level} 的记录({n} 条,{lagging} 条未达标),拖后腿的在前:",
           "more": "  …… 另有 {n} 条"},
}

#: a strength in the generated documentation: Chinese word and English meaning
DOC_STRENGTH_WORDS = {"shall": "要求 requirement", "should": "建议 recommendation", "may": "许可 permission"}

#: every phrase table, by name: each has the same keys in every language (a test checks it)
PHRASE_TABLES = {"explain": EXPLAIN_PHRASES, "explanation": EXPLANATION_WORDS, "report": REPORT_WORDS,
                 "counted": COUNTED, "html": HTML_WORDS, "plan": PLAN_WORDS, "whatif": WHATIF_WORDS,
                 "plan_html": PLAN_HTML_WORDS, "explain_command": EXPLAIN_COMMAND_WORDS}
LANGUAGES = ("en", "zh")
