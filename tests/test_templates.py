"""Other provinces' and sectors' templates of the 部门决算 tables (docs/templates.md).

Each rendering below prints a table the way a published template does (云南's 收入支出决算表 and
“三公”经费、行政参公单位机关运行经费情况表, 陕西's 收入决算总表 in 千元, the 2016–2019 national 三公 table
with 预算数 | 决算数 column groups, 四川's 三公 table with count columns, extra tables such as
项目支出决算表 and 国有资产占用情况表), with the facts it must give — value, kind, item, measure, scope,
codes and the cell it was read from — and the figures it must not give (a count as money, a project
list as 支出决算表's figures).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.parse import ParsedDocument, parse_bytes
from ingest.tables import standard

HEAD = "某县农业农村局2023年度部门决算\n\n第一部分 部门概况\n\n"  # lines 1–4: the table lines start at line 5

# 云南 (耿马 2022, www.yngm.gov.cn/info/1086/81598.htm lists these names): 收入支出决算表 for the 01 table,
# 一般公共预算财政拨款收入支出决算表 with 年初结转和结余 … 年末结转和结余 columns, 一般公共预算财政拨款项目支出
# 决算表, “三公”经费、行政参公单位机关运行经费情况表 (items in rows, 相关统计数 counts), and a 国有资产 table.
YUNNAN = HEAD + """收入支出决算表

附表1

单位：万元

收入\t\t\t支出\t\t
项目\t行次\t金额\t项目\t行次\t金额
一、一般公共预算财政拨款收入\t1\t1,200.50\t一、一般公共服务支出\t31\t1,000.50
二、政府性基金预算财政拨款收入\t2\t100.00\t二、社会保障和就业支出\t32\t300.00
三、上级补助收入\t3\t\t三、卫生健康支出\t33\t
四、事业收入\t4\t\t四、城乡社区支出\t34\t100.00
五、经营收入\t5\t100.00\t五、其他支出\t35\t
本年收入合计\t6\t1,400.50\t本年支出合计\t36\t1,400.50
使用非财政拨款结余\t7\t\t结余分配\t37\t
年初结转和结余\t8\t20.00\t年末结转和结余\t38\t20.00
总计\t9\t1,420.50\t总计\t39\t1,420.50

一般公共预算财政拨款收入支出决算表

附表5

单位：万元

项目\t\t年初结转和结余\t本年收入\t本年支出\t\t\t年末结转和结余
科目编码\t科目名称\t\t\t小计\t基本支出\t项目支出\t
栏次\t\t1\t2\t3\t4\t5\t6
合计\t\t20.00\t1,200.50\t1,200.50\t800.00\t400.50\t20.00
201\t一般公共服务支出\t20.00\t900.50\t900.50\t700.00\t200.50\t20.00
20101\t人大事务\t20.00\t900.50\t900.50\t700.00\t200.50\t20.00
208\t社会保障和就业支出\t\t300.00\t300.00\t100.00\t200.00\t

一般公共预算财政拨款项目支出决算表

附表7

单位：万元

项目名称\t科目编码\t科目名称\t本年拨款\t本年支出
合计\t\t\t400.50\t400.50
会议保障经费\t20101\t人大事务\t200.50\t200.50
困难职工帮扶\t208\t社会保障和就业支出\t200.00\t200.00

“三公”经费、行政参公单位机关运行经费情况表

附表10

单位：万元

项目\t预算数\t决算数
一、“三公”经费支出合计\t30.00\t25.50
1.因公出国（境）费\t\t
2.公务用车购置及运行维护费\t20.00\t18.00
其中：公务用车购置费\t\t
公务用车运行维护费\t20.00\t18.00
3.公务接待费\t10.00\t7.50
其中：国内公务接待费\t10.00\t7.50
二、行政参公单位机关运行经费\t\t120.30
三、相关统计数\t\t
1.因公出国（境）团组数（个）\t\t0
2.公务用车保有量（辆）\t\t3
3.国内公务接待批次（个）\t\t45
4.国内公务接待人次（人）\t\t380

国有资产占用情况表

附表11

单位：元

项目\t数量\t金额
房屋（平方米）\t1,200\t3,500,000.00
车辆（辆）\t3\t450,000.00
单价100万元以上设备（台）\t1\t1,200,000.00
"""

# 陕西 (柞水县 2020, 219.145.244.73:88/html/zwgk/czysjs/118395.html: 收入决算总表, 支出决算总表), printed in 千元;
# the 2016–2019 national 三公 table (随州 2021, pdf.wenkuvip.com/archives/769xb3le5kpb0lmzpngj.html: 一般公共预算
# 财政拨款“三公”经费支出决算表): 预算数 | 决算数 column groups over one row of figures, its 栏次 row not labelled.
SHAANXI = HEAD + """收入决算总表

公开02表

单位：千元

项目\t\t本年收入合计\t财政拨款收入\t上级补助收入\t事业收入\t经营收入\t附属单位上缴收入\t其他收入
科目编码\t科目名称\t\t\t\t\t\t\t
栏次\t\t1\t2\t3\t4\t5\t6\t7
合计\t\t15,005.0\t12,005.0\t\t2,000.0\t1,000.0\t\t
205\t教育支出\t15,005.0\t12,005.0\t\t2,000.0\t1,000.0\t\t
20502\t普通教育\t15,005.0\t12,005.0\t\t2,000.0\t1,000.0\t\t

支出决算总表

公开03表

单位：千元

项目\t\t本年支出合计\t基本支出\t项目支出\t上缴上级支出\t经营支出\t对附属单位补助支出
科目编码\t科目名称\t\t\t\t\t\t
栏次\t\t1\t2\t3\t4\t5\t6
合计\t\t15,005.0\t9,000.0\t5,005.0\t\t1,000.0\t
205\t教育支出\t15,005.0\t9,000.0\t5,005.0\t\t1,000.0\t

一般公共预算财政拨款“三公”经费支出决算表

公开07表

单位：万元

预算数\t\t\t\t\t\t决算数\t\t\t\t\t
合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费\t合计\t因公出国（境）费\t公务用车购置及运行费\t\t\t公务接待费
\t\t小计\t公务用车购置费\t公务用车运行费\t\t\t\t小计\t公务用车购置费\t公务用车运行费\t
1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12
12.00\t2.00\t8.00\t5.00\t3.00\t2.00\t10.50\t1.50\t7.00\t4.50\t2.50\t2.00
"""

# 四川 (渠县 2024, www.quxian.gov.cn/xxgk-show-64159.html: 13 tables, 财政拨款“三公”经费支出决算表): 一般公共预算
# 财政拨款支出决算表 beside its 明细表 by 经济分类 (合计 | 基本支出 人员经费 公用经费 | 项目支出); 预算数 /
# 决算数 rows, 公务接待费 split into 国内接待 | 国（境）外接待, counts in columns of their own; 人员经费 | 公用经费
# groups of the 基本支出 table; a 国有资产使用情况表 in 元 whose 车辆 column is money.
SICHUAN = HEAD + """一般公共预算财政拨款支出决算表

表6

单位：万元

项目\t\t本年支出\t\t
科目编码\t科目名称\t合计\t基本支出\t项目支出
栏次\t\t1\t2\t3
合计\t\t700.00\t600.00\t100.00
201\t一般公共服务支出\t700.00\t600.00\t100.00
20101\t人大事务\t700.00\t600.00\t100.00

一般公共预算财政拨款支出决算明细表

表7

单位：万元

项目\t\t合计\t基本支出\t\t\t项目支出
科目编码\t科目名称\t\t小计\t人员经费\t公用经费\t
栏次\t\t1\t2\t3\t4\t5
合计\t\t700.00\t600.00\t520.00\t80.00\t100.00
301\t工资福利支出\t500.00\t500.00\t500.00\t\t
30101\t基本工资\t200.00\t200.00\t200.00\t\t
30102\t津贴补贴\t300.00\t300.00\t300.00\t\t
302\t商品和服务支出\t180.00\t80.00\t\t80.00\t100.00
30201\t办公费\t110.00\t10.00\t\t10.00\t100.00
30202\t印刷费\t70.00\t70.00\t\t70.00\t
303\t对个人和家庭的补助\t20.00\t20.00\t20.00\t\t
30301\t离休费\t20.00\t20.00\t20.00\t\t

一般公共预算财政拨款基本支出决算表

表8

单位：万元

人员经费\t\t\t公用经费\t\t
科目编码\t科目名称\t决算数\t科目编码\t科目名称\t决算数
301\t工资福利支出\t500.00\t302\t商品和服务支出\t80.00
30101\t基本工资\t200.00\t30201\t办公费\t10.00
30102\t津贴补贴\t300.00\t30202\t印刷费\t70.00
303\t对个人和家庭的补助\t20.00\t310\t资本性支出\t
30301\t离休费\t20.00\t\t\t
人员经费合计\t\t520.00\t公用经费合计\t\t80.00

财政拨款“三公”经费支出决算表

表13

单位：万元

项目\t合计\t因公出国（境）费用\t公务用车购置及运行维护费\t\t\t公务接待费\t\t\t公务用车保有量（辆）\t国内公务接待批次（个）\t国内公务接待人次（人）
\t\t\t小计\t公务用车购置费\t公务用车运行维护费\t小计\t国内接待\t国（境）外接待\t\t\t
栏次\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11
预算数\t20.00\t5.00\t10.00\t\t10.00\t5.00\t5.00\t\t\t\t
决算数\t16.50\t3.00\t9.00\t\t9.00\t4.50\t4.50\t\t2\t30\t210

国有资产使用情况表

表11

单位：元

资产总额\t流动资产\t固定资产\t\t\t\t\t对外投资\t无形资产
\t\t小计\t房屋构筑物\t车辆\t单价100万元以上设备\t其他固定资产\t\t
12,345,678.00\t2,345,678.00\t10,000,000.00\t8,000,000.00\t600,000.00\t1,200,000.00\t200,000.00\t\t
"""


def _parse(text: str, name: str = "template.txt") -> ParsedDocument:
    return parse_bytes(Path(name), text.encode())


def _where(o) -> str:
    """The contract's source_ref of a table figure: a PDF's as read, a text's line and cell (as ingest.load writes)."""
    return o.source_ref or f"L{o.line_no}:C{o.col_no + 1}"


def _table_figures(doc: ParsedDocument) -> list[tuple]:
    """Every table figure of a document (what it is and its value, not where), sorted: renderings compare on it."""
    return sorted(tuple(str(x) for x in (o.table_code, o.kind, o.measure, o.item, o.scope, o.function_code,
                                         o.economic_code, o.value, o.unit))
                  for o in doc.result.observations if o.source_kind == "table")


def _facts(doc: ParsedDocument, table: str) -> set[tuple]:
    return {(o.kind, o.measure, o.item, o.scope, o.function_code, o.economic_code, o.value, o.unit, _where(o))
            for o in doc.result.observations if o.source_kind == "table" and o.table_code == table}


@pytest.fixture(scope="module")
def yunnan() -> ParsedDocument:
    return _parse(YUNNAN)


@pytest.fixture(scope="module")
def shaanxi() -> ParsedDocument:
    return _parse(SHAANXI)


@pytest.fixture(scope="module")
def sichuan() -> ParsedDocument:
    return _parse(SICHUAN)


D = Decimal


@pytest.mark.parametrize("title, code", [
    ("收入支出决算表", "01"),  # 云南: not 支出决算表 (a 收入 before it makes another table)
    ("收入决算总表", "02"), ("支出决算总表", "03"),  # 陕西
    ("财政拨款收入支出决算表", "04"),  # 云南: not 支出决算表
    ("一般公共预算财政拨款收入支出决算表", "05"),
    ("国有资本经营预算财政拨款收入支出决算表", "08"),
    ("一般公共预算财政拨款“三公”经费支出决算表", "09"),
    ("“三公”经费、行政参公单位机关运行经费情况表", "09"),
    ("某县农业农村局2023年度收入支出决算总表", "01"),  # a unit and a year before the name
    ("2023年度某县农业农村局部门收入支出决算总表", "01"),
    ("附表1 收入支出决算总表", "01"), ("Z01表 收入支出决算总表", "01"), ("表1：收入支出决算总表", "01"),
    ("一般公共预算财政拨款支出预算表", "B05"),  # a fund word before an alias naming a fund narrows it
    ("财政拨款基本支出决算表", None),  # no longer 支出决算表
    ("一般公共预算财政拨款项目支出决算表", None),
    ("部门整体支出绩效自评表", None),
    ("根据规定，2023年度收入支出决算总表", None),  # a sentence, not a title
])
def test_titles_name_their_table(title, code):
    tdef = standard.title_of(title)
    assert (tdef.code if tdef else None) == code


def test_yunnan_income_and_expenditure_table_is_01_not_03(yunnan):
    assert _facts(yunnan, "03") == set()
    facts = _facts(yunnan, "01")
    assert {
        ("revenue", "amount", "general_budget", "all", None, None, D("1200.5000"), "万元", "L13:C3"),
        ("revenue", "amount", "gov_fund", "all", None, None, D("100.0000"), "万元", "L14:C3"),
        ("revenue", "amount", "operating", "all", None, None, D("100.0000"), "万元", "L17:C3"),
        ("revenue", "amount", "current_total", "all", None, None, D("1400.5000"), "万元", "L18:C3"),
        ("revenue", "amount", "carryover_begin", "all", None, None, D("20.0000"), "万元", "L20:C3"),
        ("revenue", "amount", "grand_total", "all", None, None, D("1420.5000"), "万元", "L21:C3"),
        ("expenditure", "amount", "total", "all", "201", None, D("1000.5000"), "万元", "L13:C6"),
        ("expenditure", "amount", "total", "all", "212", None, D("100.0000"), "万元", "L16:C6"),
        ("expenditure", "amount", "carryover_end", "all", None, None, D("20.0000"), "万元", "L20:C6"),
        ("expenditure", "amount", "grand_total", "all", None, None, D("1420.5000"), "万元", "L21:C6"),
    } <= facts
    assert len(facts) == 12


def test_yunnan_general_budget_table_with_carryover_columns(yunnan):
    facts = _facts(yunnan, "05")
    assert {
        ("revenue", "amount", "carryover_begin", "general_budget", None, None, D("20.0000"), "万元", "L32:C3"),
        ("revenue", "amount", "current_total", "general_budget", None, None, D("1200.5000"), "万元", "L32:C4"),
        ("expenditure", "amount", "total", "general_budget", None, None, D("1200.5000"), "万元", "L32:C5"),
        ("expenditure", "amount", "basic", "general_budget", None, None, D("800.0000"), "万元", "L32:C6"),
        ("expenditure", "amount", "project", "general_budget", None, None, D("400.5000"), "万元", "L32:C7"),
        ("expenditure", "amount", "carryover_end", "general_budget", None, None, D("20.0000"), "万元", "L32:C8"),
        ("expenditure", "amount", "project", "general_budget", "208", None, D("200.0000"), "万元", "L35:C7"),
    } <= facts
    assert len(facts) == 22
    assert yunnan.status == "ok"


def test_project_table_is_kept_apart_not_counted_as_expenditure(yunnan):
    """一般公共预算财政拨款项目支出决算表 lists projects: its figures load (kind other, with the project and the
    column), none of them as an expenditure of 05 or 03 — 项目支出 stays the one figure of 05."""
    listed = [o for o in yunnan.result.observations if o.table_code == "X1"]
    assert {(o.kind, o.measure, o.item, o.subject_name, o.value, _where(o)) for o in listed} == {
        ("other", "value", "本年拨款", "合计", D("400.5000"), "L44:C4"),
        ("other", "value", "本年支出", "合计", D("400.5000"), "L44:C5"),
        ("other", "value", "本年拨款", "会议保障经费 20101 人大事务", D("200.5000"), "L45:C4"),
        ("other", "value", "本年支出", "会议保障经费 20101 人大事务", D("200.5000"), "L45:C5"),
        ("other", "value", "本年拨款", "困难职工帮扶 208 社会保障和就业支出", D("200.0000"), "L46:C4"),
        ("other", "value", "本年支出", "困难职工帮扶 208 社会保障和就业支出", D("200.0000"), "L46:C5"),
    }
    projects = [o for o in yunnan.result.observations
                if o.source_kind == "table" and o.kind == "expenditure" and o.item == "project" and o.function_code is None]
    assert [(o.table_code, o.value) for o in projects] == [("05", D("400.5000"))]


def test_three_public_items_in_rows_with_counts_and_agency_operation(yunnan):
    facts = _facts(yunnan, "09")
    assert facts == {
        ("three_public", "budget", "total", "fiscal", None, None, D("30.0000"), "万元", "L55:C2"),
        ("three_public", "actual", "total", "fiscal", None, None, D("25.5000"), "万元", "L55:C3"),
        ("three_public", "budget", "vehicle_total", "fiscal", None, None, D("20.0000"), "万元", "L57:C2"),
        ("three_public", "actual", "vehicle_total", "fiscal", None, None, D("18.0000"), "万元", "L57:C3"),
        ("three_public", "budget", "vehicle_operation", "fiscal", None, None, D("20.0000"), "万元", "L59:C2"),
        ("three_public", "actual", "vehicle_operation", "fiscal", None, None, D("18.0000"), "万元", "L59:C3"),
        ("three_public", "budget", "reception", "fiscal", None, None, D("10.0000"), "万元", "L60:C2"),
        ("three_public", "actual", "reception", "fiscal", None, None, D("7.5000"), "万元", "L60:C3"),
        ("three_public", "budget", "reception_domestic", "fiscal", None, None, D("10.0000"), "万元", "L61:C2"),
        ("three_public", "actual", "reception_domestic", "fiscal", None, None, D("7.5000"), "万元", "L61:C3"),
        ("agency_operation", "amount", None, None, None, None, D("120.3000"), "万元", "L62:C3"),
        # counts: a count, in its unit, never 万元
        ("three_public", "count", "outbound_groups", "fiscal", None, None, D("0"), "个", "L64:C3"),
        ("assets", "count", "vehicles", None, None, None, D("3"), "辆", "L65:C3"),
        ("three_public", "count", "reception_domestic_batches", "fiscal", None, None, D("45"), "个", "L66:C3"),
        ("three_public", "count", "reception_domestic_people", "fiscal", None, None, D("380"), "人", "L67:C3"),
    }
    assert not yunnan.result.rejects


def test_assets_table_counts_stay_counts_when_the_table_is_in_yuan(yunnan):
    """单位：元 converts the 金额 column to 万元 (printed text kept); the 数量 column is a count in the unit its
    row states — 3 辆 is 3 vehicles, not 0.0003 万元."""
    facts = {(o.kind, o.measure, o.item, o.value, o.unit, o.value_text, _where(o))
             for o in yunnan.result.observations if o.table_code == "X4"}
    assert facts == {
        ("other", "count", "数量", D("1200"), "平方米", "1,200", "L76:C2"),
        ("other", "value", "金额", D("350.0000"), "万元", "3,500,000.00元", "L76:C3"),
        ("assets", "count", "vehicles", D("3"), "辆", "3", "L77:C2"),
        ("other", "value", "金额", D("45.0000"), "万元", "450,000.00元", "L77:C3"),
        ("assets", "count", "equipment_over_1m", D("1"), "台", "1", "L78:C2"),
        ("other", "value", "金额", D("120.0000"), "万元", "1,200,000.00元", "L78:C3"),
    }


def test_shaanxi_names_in_thousands_of_yuan(shaanxi):
    revenue = _facts(shaanxi, "02")
    assert {
        ("revenue", "amount", "current_total", "all", None, None, D("1500.5000"), "万元", "L14:C3"),
        ("revenue", "amount", "fiscal_total", "all", None, None, D("1200.5000"), "万元", "L14:C4"),
        ("revenue", "amount", "business", "all", "20502", None, D("200.0000"), "万元", "L16:C6"),
        ("revenue", "amount", "operating", "all", "20502", None, D("100.0000"), "万元", "L16:C7"),
    } <= revenue and len(revenue) == 12
    spending = _facts(shaanxi, "03")
    assert {
        ("expenditure", "amount", "total", "all", None, None, D("1500.5000"), "万元", "L27:C3"),
        ("expenditure", "amount", "basic", "all", None, None, D("900.0000"), "万元", "L27:C4"),
        ("expenditure", "amount", "project", "all", None, None, D("500.5000"), "万元", "L27:C5"),
        ("expenditure", "amount", "operating", "all", "205", None, D("100.0000"), "万元", "L28:C7"),
    } <= spending and len(spending) == 8
    o = next(o for o in shaanxi.result.observations if o.source_kind == "table" and _where(o) == "L15:C3")
    assert (o.value_text, o.printed_unit, o.decimals) == ("15,005.0千元", "千元", 2)


def test_national_three_public_table_with_measure_column_groups(shaanxi):
    """预算数 | 决算数 over the item columns and one row of figures; the row 1, 2, 3 … under the header numbers
    the columns (栏次) and gives no figure."""
    facts = _facts(shaanxi, "09")
    want = {}
    for measure, first in (("budget", 1), ("actual", 7)):
        for k, item in enumerate(("total", "outbound", "vehicle_total", "vehicle_purchase", "vehicle_operation",
                                  "reception")):
            want[(measure, item)] = f"L40:C{first + k}"
    assert {(f[1], f[2]): f[8] for f in facts} == want
    assert {(f[1], f[2]): f[6] for f in facts}[("actual", "vehicle_purchase")] == D("4.5000")
    assert not [o for o in shaanxi.result.observations if o.line_no == 39]  # the 栏次 row


def test_sichuan_three_public_rows_with_count_columns(sichuan):
    facts = _facts(sichuan, "09")
    assert facts == {
        ("three_public", "budget", "total", "fiscal", None, None, D("20.0000"), "万元", "L61:C2"),
        ("three_public", "budget", "outbound", "fiscal", None, None, D("5.0000"), "万元", "L61:C3"),
        ("three_public", "budget", "vehicle_total", "fiscal", None, None, D("10.0000"), "万元", "L61:C4"),
        ("three_public", "budget", "vehicle_operation", "fiscal", None, None, D("10.0000"), "万元", "L61:C6"),
        ("three_public", "budget", "reception", "fiscal", None, None, D("5.0000"), "万元", "L61:C7"),
        ("three_public", "budget", "reception_domestic", "fiscal", None, None, D("5.0000"), "万元", "L61:C8"),
        ("three_public", "actual", "total", "fiscal", None, None, D("16.5000"), "万元", "L62:C2"),
        ("three_public", "actual", "outbound", "fiscal", None, None, D("3.0000"), "万元", "L62:C3"),
        ("three_public", "actual", "vehicle_total", "fiscal", None, None, D("9.0000"), "万元", "L62:C4"),
        ("three_public", "actual", "vehicle_operation", "fiscal", None, None, D("9.0000"), "万元", "L62:C6"),
        ("three_public", "actual", "reception", "fiscal", None, None, D("4.5000"), "万元", "L62:C7"),
        ("three_public", "actual", "reception_domestic", "fiscal", None, None, D("4.5000"), "万元", "L62:C8"),
        ("assets", "count", "vehicles", None, None, None, D("2"), "辆", "L62:C10"),
        ("three_public", "count", "reception_domestic_batches", "fiscal", None, None, D("30"), "个", "L62:C11"),
        ("three_public", "count", "reception_domestic_people", "fiscal", None, None, D("210"), "人", "L62:C12"),
    }


def test_a_total_column_beside_meeting_and_training_is_not_the_three_public_total():
    text = HEAD + ("财政拨款“三公”经费及会议费、培训费支出决算表\n\n单位：万元\n\n"
                   "项目\t合计\t因公出国（境）费\t公务接待费\t会议费\t培训费\n"
                   "决算数\t9.00\t1.00\t2.00\t3.00\t3.00\n")
    doc = _parse(text)
    assert {(o.item, o.value) for o in doc.result.observations if o.table_code == "09"} == {
        ("outbound", D("1.0000")), ("reception", D("2.0000")), ("meeting", D("3.0000")), ("training", D("3.0000"))}
    assert [r.value_text for r in doc.result.rejects] == ["9.00"]


def test_sichuan_basic_expenditure_groups_and_money_assets(sichuan):
    economic = _facts(sichuan, "06")
    assert {
        ("expenditure_economic", "amount", "basic", "general_budget", None, "301", D("500.0000"), "万元", "L45:C3"),
        ("expenditure_economic", "amount", "basic", "general_budget", None, "30202", D("70.0000"), "万元", "L47:C6"),
        ("expenditure", "amount", "personnel", "general_budget", None, None, D("520.0000"), "万元", "L50:C3"),
        ("expenditure", "amount", "public_funds", "general_budget", None, None, D("80.0000"), "万元", "L50:C6"),
    } <= economic and len(economic) == 10
    # 国有资产使用情况表 in 元: every figure money (车辆 and 单价100万元以上设备 are values of assets here)
    assets = {(o.item, o.value, o.unit) for o in sichuan.result.observations if o.table_code == "X4"}
    assert assets == {
        ("资产总额", D("1234.5678"), "万元"), ("流动资产", D("234.5678"), "万元"), ("固定资产/小计", D("1000.0000"), "万元"),
        ("固定资产/房屋构筑物", D("800.0000"), "万元"), ("固定资产/车辆", D("60.0000"), "万元"),
        ("固定资产/单价100万元以上设备", D("120.0000"), "万元"), ("固定资产/其他固定资产", D("20.0000"), "万元")}


def test_detail_table_coded_by_economic_class_is_not_read_as_function_rows(sichuan):
    """一般公共预算财政拨款支出决算明细表 (四川) names the 05 table but lists 经济分类 rows (301 …): they are economic
    codes with each column's item — never function codes 301 / 30101 — and its 合计 row the 05 totals again."""
    economic = {(o.item, o.economic_code, o.value, _where(o)) for o in sichuan.result.observations
                if o.table_code == "05" and o.kind == "expenditure_economic"}
    assert {("total", "301", D("500.0000"), "L28:C3"), ("basic", "301", D("500.0000"), "L28:C4"),
            ("personnel", "301", D("500.0000"), "L28:C5"), ("project", "302", D("100.0000"), "L31:C7"),
            ("public_funds", "30201", D("10.0000"), "L32:C6"), ("project", "30201", D("100.0000"), "L32:C7"),
            ("personnel", "30301", D("20.0000"), "L35:C5")} <= economic
    assert len(economic) == 26
    assert not [o for o in sichuan.result.observations if o.function_code and o.function_code[0] in "35"]
    totals = {(o.item, o.value, _where(o)) for o in sichuan.result.observations
              if o.table_code == "05" and o.kind == "expenditure" and o.function_code is None}
    assert totals == {("total", D("700.0000"), "L14:C3"), ("basic", D("600.0000"), "L14:C4"),
                      ("project", D("100.0000"), "L14:C5"),
                      ("total", D("700.0000"), "L27:C3"), ("basic", D("600.0000"), "L27:C4"),
                      ("personnel", D("520.0000"), "L27:C5"), ("public_funds", D("80.0000"), "L27:C6"),
                      ("project", D("100.0000"), "L27:C7")}
    assert sichuan.status == "ok" and not sichuan.result.rejects


@pytest.mark.parametrize("name, text", [("yunnan", YUNNAN), ("shaanxi", SHAANXI)])
def test_pdf_renderings_give_the_same_table_figures(name, text):
    """The same pages drawn as a ruled PDF (bench/pdf_render.py): the same figures, kinds and items."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from pdf_render import blocks_of_text, render

    pdf = parse_bytes(Path(f"{name}.pdf"), render(blocks_of_text(text.split("\n"))))
    assert _table_figures(pdf) == _table_figures(_parse(text)) and pdf.status == "ok"
    refs = {(o.table_code, o.measure, o.item): o.source_ref for o in pdf.result.observations if o.source_kind == "table"}
    if name == "yunnan":  # page, table on the page, row, column
        assert refs[("09", "actual", "total")] == "p2 T2 R2 C3" and refs[("X4", "count", "vehicles")] == "p2 T3 R3 C2"


@pytest.mark.parametrize("render", ["cells_per_line", "hard_wrapped"])
@pytest.mark.parametrize("name, text", [("yunnan", YUNNAN), ("shaanxi", SHAANXI), ("sichuan", SICHUAN)])
def test_other_converters_renderings_give_the_same_table_figures(name, text, render):
    """One cell per line (merged header cells printed once, leading empty cells left out) and prose wrapped at 40
    columns (tests/renderers.py): the same figures of every template table."""
    import renderers

    data = renderers.cells_per_line(text) if render == "cells_per_line" else renderers.hard_wrapped(text, 40)

    assert _table_figures(parse_bytes(Path(f"{name}.txt"), data)) == _table_figures(_parse(text))


@pytest.mark.parametrize("unit_line, value, printed", [
    ("单位：人民币元", "12.3456", "123,456.00元"), ("单位（元）", "12.3456", "123,456.00元"),
    ("金额单位：千元", "12345.6000", "123,456.00千元"), ("单位：万元", "123456.0000", "123,456.00")])
def test_unit_lines_of_other_templates(unit_line, value, printed):
    """单位：人民币元 and 单位（元） state 元 as plainly as 单位：元: read as 万元 they were 10,000 times too large."""
    text = HEAD + f"支出决算表\n\n{unit_line}\n\n科目编码\t科目名称\t本年支出合计\t基本支出\t项目支出\n" \
                  "合计\t\t123,456.00\t123,456.00\t\n"
    o = next(o for o in _parse(text).result.observations if o.table_code == "03" and o.item == "total")
    assert (o.value, o.unit, o.value_text, _where(o)) == (D(value), "万元", printed, "L10:C3")


def _as_docx(text: str) -> bytes:
    """Lines as a Word file: a run of tab-separated lines one table, any other line a paragraph."""
    import io

    docx = pytest.importorskip("docx")
    document, block = docx.Document(), []

    def flush():
        if block:
            table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
            for row, cells in zip(table.rows, block):
                for cell, value in zip(row.cells, cells):
                    cell.text = value
            block.clear()
    for line in text.split("\n"):
        if "\t" in line:
            block.append(line.split("\t"))
        else:
            flush()
            if line.strip():
                document.add_paragraph(line)
    flush()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _as_xlsx(text: str) -> bytes:
    """Lines as one worksheet, a row a line; figures with decimals stored as numbers shown #,##0.00."""
    import io

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in text.split("\n"):
        cells = line.split("\t")
        ws.append([float(v.replace(",", "")) if "." in v and v.replace(",", "").replace(".", "", 1).isdigit() else v
                   for v in cells])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("name, text", [("yunnan", YUNNAN), ("shaanxi", SHAANXI), ("sichuan", SICHUAN)])
def test_word_and_excel_files_give_the_same_table_figures(name, text, fmt):
    data = _as_docx(text) if fmt == "docx" else _as_xlsx(text)

    doc = parse_bytes(Path(f"{name}.{fmt}"), data)
    assert _table_figures(doc) == _table_figures(_parse(text)) and doc.status == "ok" and doc.format == fmt


def test_findings_name_the_extra_tables_by_their_titles():
    """macros/labels.sql (reading_ref: where a finding's figure was read) names each extra table by the title
    EXTRA_TABLE_DEFS gives it, not as a 公开NN表 it is not."""
    import re as _re

    from ingest.tables.standard import EXTRA_TABLE_DEFS

    macro = (Path(__file__).resolve().parents[1] / "macros" / "labels.sql").read_text(encoding="utf-8")
    named = dict(_re.findall(r"table_code = '(X\d)' then '([^']+)'", macro))
    assert named == {tdef.code: tdef.title for _, tdef in EXTRA_TABLE_DEFS}
