"""Danish values to typed values, in SQL: one expression per column for the value and one for
the reason it is wrong. Ingestion runs them over whole files at once inside DuckDB.

Every input value arrives as text (CSV fields as read, XLSX cells rendered by `readers`), already
trimmed with empty text turned into NULL. A value that does not parse is never coerced: its column
gets a reason, and the row goes to quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass

from boligmonitor import cpr
from boligmonitor.contracts import Column, DateOrder, Source

SQL_TYPES = {
    "text": "VARCHAR",
    "cpr": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "decimal": "DECIMAL(14,2)",
    "integer": "INTEGER",
    "flag": "BOOLEAN",
    "month": "DATE",
}

DATE_FORMATS = ["%d-%m-%Y", "%Y-%m-%d"]
TIMESTAMP_FORMATS = [
    "%d-%m-%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d-%m-%Y",
    "%Y-%m-%d",
]
# Danish numbers: decimal comma, optional '.' thousands separator, at most two decimals.
_DECIMAL_RE = r"-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]{1,2})?"
_INTEGER_RE = r"-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _formats(formats: list[str]) -> str:
    return "[" + ", ".join(_lit(f) for f in formats) + "]"


def output_name(column: Column) -> str:
    """The column's name in the warehouse: CPR is stored only as its pseudonym."""
    return "cpr_pseudonym" if column.kind == "cpr" else column.name


def shown(value: str) -> str:
    """SQL: the offending value as shown in a reason: quoted, CPR-shaped parts masked, cut short."""
    masked = f"regexp_replace({value}, '{cpr.TEXT_PATTERN_SQL}', '{cpr.MASK}', 'g')"
    return f"'''' || left({masked}, 40) || ''''"


@dataclass(frozen=True)
class ColumnSql:
    value: str  # typed value (NULL when missing or invalid)
    error: str  # Danish reason, or NULL when the value is fine


def column_sql(column: Column, ref: str) -> ColumnSql:
    """SQL for one column, reading the cleaned text value `ref` (NULL when empty)."""
    kind = column.kind
    if kind == "text":
        value = (
            f"regexp_replace({ref}, '{cpr.TEXT_PATTERN_SQL}', '{cpr.MASK}', 'g')"
            if column.free_text
            else ref
        )
        bad = "false" if column.free_text else f"regexp_matches({ref}, '{cpr.BOUNDED_PATTERN_SQL}')"
        problem = "indeholder noget, der ligner et CPR-nummer (hører ikke hjemme her)"
        return ColumnSql(value, f"CASE WHEN {bad} THEN {_lit(problem)} END")
    if kind == "cpr":
        digits = cpr.digits_sql(ref)
        ok = f"({digits} IS NOT NULL AND {cpr.valid_sql(digits)})"
        problem = "er ikke et gyldigt CPR-nummer (DDMMÅÅ-SSSS, de første seks cifre en dato)"
        return ColumnSql(
            f"CASE WHEN {ok} THEN {cpr.pseudonym_sql(digits)} END",
            f"CASE WHEN NOT {ok} THEN {_lit(problem)} END",
        )
    if kind == "code":
        codes = ", ".join(_lit(c) for c in column.codes)
        problem = f" er ikke en gyldig kode (gyldige: {', '.join(column.codes)})"
        return ColumnSql(
            f"CASE WHEN {ref} IN ({codes}) THEN {ref} END",
            f"CASE WHEN {ref} NOT IN ({codes}) THEN {shown(ref)} || {_lit(problem)} END",
        )
    if kind == "flag":
        return ColumnSql(
            f"CASE {ref} WHEN '1' THEN true WHEN '0' THEN false END",
            f"CASE WHEN {ref} NOT IN ('0', '1') THEN {shown(ref)} || ' skal være 0 eller 1' END",
        )
    if kind in ("decimal", "integer"):
        pattern = _DECIMAL_RE if kind == "decimal" else _INTEGER_RE
        sql_type = SQL_TYPES[kind]
        number = f"replace(replace({ref}, '.', ''), ',', '.')"
        value = f"TRY_CAST({number} AS {sql_type})"
        ok = f"(regexp_full_match({ref}, '{pattern}') AND {value} IS NOT NULL)"
        problem = (
            " er ikke et tal i dansk form (fx 4.250,50 eller 4250,5; højst to decimaler)"
            if kind == "decimal"
            else " er ikke et helt tal (fx 12 eller 1.200)"
        )
        return ColumnSql(
            f"CASE WHEN {ok} THEN {value} END",
            f"CASE WHEN NOT {ok} THEN {shown(ref)} || {_lit(problem)} END",
        )
    if kind == "date":
        value = f"CAST(try_strptime({ref}, {_formats(DATE_FORMATS)}) AS DATE)"
        problem = " er ikke en dato (dd-mm-åååå eller åååå-mm-dd)"
        return ColumnSql(
            value, f"CASE WHEN {value} IS NULL THEN {shown(ref)} || {_lit(problem)} END"
        )
    if kind == "timestamp":
        value = f"try_strptime({ref}, {_formats(TIMESTAMP_FORMATS)})"
        problem = " er ikke et tidspunkt (dd-mm-åååå tt:mm:ss eller åååå-mm-ddTtt:mm:ss)"
        return ColumnSql(
            value, f"CASE WHEN {value} IS NULL THEN {shown(ref)} || {_lit(problem)} END"
        )
    if kind == "month":
        # yyyy-mm, or a date on the 1st (an XLSX month is often a real date cell)
        as_month = (
            f"CASE WHEN regexp_full_match({ref}, '[0-9]{{4}}-[0-9]{{2}}') "
            f"THEN try_strptime({ref} || '-01', '%Y-%m-%d') "
            f"ELSE try_strptime({ref}, {_formats(DATE_FORMATS)}) END"
        )
        value = f"CAST({as_month} AS DATE)"
        ok = f"({value} IS NOT NULL AND day({value}) = 1)"
        problem = " er ikke en måned (åååå-mm)"
        return ColumnSql(
            f"CASE WHEN {ok} THEN {value} END",
            f"CASE WHEN NOT {ok} THEN {shown(ref)} || {_lit(problem)} END",
        )
    raise ValueError(f"unknown kind {kind!r}")


def order_error_sql(rule: DateOrder, values: dict[str, str]) -> str:
    """SQL: the reason a row breaks a date-order rule, from the typed values (NULLs pass)."""
    a, b = values[rule.earlier], values[rule.later]
    broken = f"{a} >= {b}" if rule.strict else f"{a} > {b}"
    word = "ikke efter" if rule.strict else "før"
    return (
        f"CASE WHEN {broken} THEN '{rule.later} (' || strftime({b}, '%d-%m-%Y') || ') ligger "
        f"{word} {rule.earlier} (' || strftime({a}, '%d-%m-%Y') || ')' END"
    )


def parse_select_sql(source: Source, incoming: str) -> str:
    """SQL that reads the text table `incoming` and returns, per row: lineage, the typed columns,
    `_error_columns` (list) and `_errors` (list of Danish reasons), plus the text values masked
    for quarantine (`_text_<column>`)."""
    cleaned = ", ".join(f'NULLIF(trim("{c.name}"), \'\') AS "t_{c.name}"' for c in source.columns)
    parts = {c.name: column_sql(c, f'"t_{c.name}"') for c in source.columns}
    typed = {c.name: f'"v_{c.name}"' for c in source.columns}

    selects = []
    checks = []  # (column name, reason sql)
    for c in source.columns:
        missing = "'mangler en værdi'" if not c.nullable else "NULL"
        reason = f'CASE WHEN "t_{c.name}" IS NULL THEN {missing} ELSE {parts[c.name].error} END'
        selects.append(f'{parts[c.name].value} AS "v_{c.name}"')
        selects.append(f'{reason} AS "e_{c.name}"')
        checks.append((c.name, f'"e_{c.name}"'))
    rule_checks = [(r.later, order_error_sql(r, typed)) for r in source.order_rules]

    col_list = ", ".join(
        f"CASE WHEN {reason} IS NOT NULL THEN '{name}' END" for name, reason in checks
    )
    rule_cols = ", ".join(
        f"CASE WHEN {sql} IS NOT NULL THEN '{name}' END" for name, sql in rule_checks
    )
    reasons = ", ".join(
        f"CASE WHEN {reason} IS NOT NULL THEN '{name}: ' || {reason} END" for name, reason in checks
    )
    rule_reasons = ", ".join(sql for _, sql in rule_checks)
    all_cols = col_list + (", " + rule_cols if rule_cols else "")
    all_reasons = reasons + (", " + rule_reasons if rule_reasons else "")

    outputs = []
    for c in source.columns:
        outputs.append(f'"v_{c.name}" AS "{output_name(c)}"')
    texts = []
    for c in source.columns:
        # quarantine keeps what arrived as text, but never a CPR: the pseudonym when valid
        if c.kind == "cpr":
            texts.append(f'"v_{c.name}" AS "_text_{output_name(c)}"')
        else:
            texts.append(
                f"regexp_replace(\"t_{c.name}\", '{cpr.TEXT_PATTERN_SQL}', '{cpr.MASK}', 'g') "
                f'AS "_text_{c.name}"'
            )
    text_cols = ", ".join(f'"t_{c.name}"' for c in source.columns)
    return f"""
WITH cleaned AS (
    SELECT _source_file, _source_row, {cleaned} FROM {incoming}
), typed AS (
    SELECT _source_file, _source_row, {text_cols}, {", ".join(selects)}
    FROM cleaned
), checked AS (
    SELECT *,
        list_filter([{all_cols}], x -> x IS NOT NULL) AS _error_columns,
        list_filter([{all_reasons}], x -> x IS NOT NULL) AS _errors
    FROM typed
)
SELECT _source_file, _source_row, {", ".join(outputs)}, _error_columns, _errors,
       {", ".join(texts)}
FROM checked
"""
